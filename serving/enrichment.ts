import { RouterError } from './errors.ts';

/** What enrichment needs of the features subgraph's online lookup service (OnlineFeatureService). */
export interface OnlineLookup {
  lookup(featureView: string, entityKeys: readonly string[]): Promise<{ entityKey: string; values: Record<string, unknown> }[]>;
  featureTypes(featureView: string): Promise<Map<string, string> | null>;
}

type Json = Record<string, unknown>;

/** v2 tensor datatypes of the feature store's dtypes; lists and timestamps travel as BYTES (JSON text / ISO time). */
const V2_DATATYPES: Record<string, string> = { INT64: 'INT64', FLOAT64: 'FP64', BOOL: 'BOOL', STRING: 'BYTES', TIMESTAMP: 'BYTES', FLOAT32_LIST: 'BYTES' };

function keyOf(value: unknown, where: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RouterError(400, 'BAD_USER_INPUT', `${where} must hold the entity key (a non-empty string or a number)`);
}

async function valuesByKey(online: OnlineLookup, featureView: string, keys: string[]) {
  const unique = [...new Set(keys)];
  try {
    // One batched lookup for the whole request.
    const rows = await online.lookup(featureView, unique);
    return new Map(rows.map((row) => [row.entityKey, row.values]));
  } catch (error) {
    if ((error as { code?: string }).code === 'BAD_USER_INPUT') throw new RouterError(400, 'BAD_USER_INPUT', (error as Error).message);
    throw new RouterError(502, 'UPSTREAM_UNAVAILABLE', `online feature lookup in ${featureView} failed`, { cause: error });
  }
}

/**
 * A predict body with the online features of its entity added under `features` (an object
 * feature -> value, null for an entity the store does not know). A body with an `instances` array
 * is a batch: each instance carries its own key and gets its own `features`. The router's values
 * replace any `features` the caller sent: a model sees the store's values, never forged ones.
 */
export async function enrichPredict(online: OnlineLookup, featureView: string, keyField: string, body: Json): Promise<Json> {
  if (Array.isArray(body.instances)) {
    const instances = body.instances as unknown[];
    const keys = instances.map((instance, i) => {
      if (!instance || typeof instance !== 'object' || Array.isArray(instance)) {
        throw new RouterError(400, 'BAD_USER_INPUT', `instances[${i}] must be an object holding ${keyField}`);
      }
      return keyOf((instance as Json)[keyField], `instances[${i}].${keyField}`);
    });
    const values = await valuesByKey(online, featureView, keys);
    return { ...body, instances: instances.map((instance, i) => ({ ...(instance as Json), features: values.get(keys[i]!) })) };
  }
  const key = keyOf(body[keyField], keyField);
  const values = await valuesByKey(online, featureView, [key]);
  return { ...body, features: values.get(key) };
}

interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}

/**
 * A v2 infer body with one input tensor per feature added: named after the feature, shape [n]
 * for the n keys of the key tensor (the input named `keyField`, flattened), datatype from the
 * feature's dtype; null elements for unknown entities. Feature tensors replace inputs of the same name.
 */
export async function enrichInfer(online: OnlineLookup, featureView: string, keyField: string, body: Json): Promise<Json> {
  const inputs = body.inputs as Tensor[];
  const keyTensor = inputs.find((input) => input && input.name === keyField);
  if (!keyTensor || !Array.isArray(keyTensor.data)) {
    throw new RouterError(400, 'BAD_USER_INPUT', `inputs must hold a tensor named ${keyField} with the entity keys`);
  }
  const keys = (keyTensor.data as unknown[]).flat(Infinity).map((value, i) => keyOf(value, `${keyField}.data[${i}]`));
  const [values, types] = await Promise.all([valuesByKey(online, featureView, keys), online.featureTypes(featureView)]);
  const features = [...(types ?? new Map<string, string>())];
  const names = new Set(features.map(([name]) => name));
  const tensors: Tensor[] = features.map(([name, dtype]) => ({
    name,
    shape: [keys.length],
    datatype: V2_DATATYPES[dtype] ?? 'BYTES',
    data: keys.map((key) => {
      const value = values.get(key)?.[name] ?? null;
      if (value === null || V2_DATATYPES[dtype] !== 'BYTES' || typeof value === 'string') return value;
      return value instanceof Date ? value.toISOString() : JSON.stringify(value);
    }),
  }));
  return { ...body, inputs: [...inputs.filter((input) => !names.has(input?.name)), ...tensors] };
}
