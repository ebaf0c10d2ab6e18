import type { FeatureStoreProvider } from '../adapters/core/feature-store.ts';
import { RouterError } from './errors.ts';
import type { FeatureViewDefinition, FeatureViewDefinitions } from './feature-views.ts';

/**
 * Where enrichment reads online values: the `features` capability of a view's provider, through
 * the provider registry (`ProviderRegistry.capability`, NotSupportedError for a provider without one).
 */
export interface FeatureOwners {
  capability(provider: string, capability: 'features', operation: string): Pick<FeatureStoreProvider, 'readOnline'>;
}

/** What enrichment reads: each view's definition (cached) and its owner's online values. */
export interface OnlineFeatureSource {
  definitions: FeatureViewDefinitions;
  owners: FeatureOwners;
}

/** Entity keys per enriched call, as for `onlineFeatures`: one online-store round trip stays bounded. */
const MAX_ENTITY_KEYS = 1000;

type Json = Record<string, unknown>;

/** v2 tensor datatypes of the feature store's dtypes; lists and timestamps travel as BYTES (JSON text / ISO time). */
const V2_DATATYPES: Record<string, string> = {
  INT64: 'INT64',
  FLOAT64: 'FP64',
  BOOL: 'BOOL',
  STRING: 'BYTES',
  TIMESTAMP: 'BYTES',
  FLOAT32_LIST: 'BYTES',
};

function keyOf(value: unknown, where: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new RouterError(400, 'BAD_USER_INPUT', `${where} must hold the entity key (a non-empty string or a number)`);
}

/** The view's values of each key (one batched read at the view's owner) and its features in declared order. */
async function valuesByKey(source: OnlineFeatureSource, featureView: string, keys: string[]) {
  const unique = [...new Set(keys)];
  if (unique.length > MAX_ENTITY_KEYS)
    throw new RouterError(400, 'BAD_USER_INPUT', `at most ${MAX_ENTITY_KEYS} entity keys per request`);
  let found: FeatureViewDefinition | null;
  try {
    found = await source.definitions.get(featureView);
  } catch (error) {
    throw lookupFailed(featureView, error);
  }
  const view = found;
  if (!view)
    throw new RouterError(
      502,
      'UPSTREAM_UNAVAILABLE',
      `online feature lookup in ${featureView} failed: no such feature view`,
    );
  let owner: Pick<FeatureStoreProvider, 'readOnline'>;
  try {
    owner = source.owners.capability(view.providerName, 'features', 'online feature enrichment');
  } catch (error) {
    if ((error as { code?: string }).code === 'NOT_SUPPORTED')
      throw new RouterError(501, 'NOT_SUPPORTED', `feature view ${featureView}: ${(error as Error).message}`, {
        cause: error,
      });
    throw error;
  }
  try {
    // One batched read for the whole request.
    const rows = await owner.readOnline(view.name, unique, view.featureNames);
    const values = new Map<string, Record<string, unknown>>();
    rows.forEach((row, index) =>
      values.set(unique[index]!, row?.values ?? Object.fromEntries(view.featureNames.map((name) => [name, null]))),
    );
    return { values, view };
  } catch (error) {
    throw lookupFailed(featureView, error);
  }
}

const lookupFailed = (featureView: string, cause: unknown) =>
  new RouterError(502, 'UPSTREAM_UNAVAILABLE', `online feature lookup in ${featureView} failed`, { cause });

/**
 * A predict body with the online features of its entity added under `features` (an object
 * feature -> value, null for an entity the store does not know). A body with an `instances` array
 * is a batch: each instance carries its own key and gets its own `features`. The router's values
 * replace any `features` the caller sent: a model sees the store's values, never forged ones.
 */
export async function enrichPredict(
  source: OnlineFeatureSource,
  featureView: string,
  keyField: string,
  body: Json,
): Promise<Json> {
  if (Array.isArray(body.instances)) {
    const instances = body.instances as unknown[];
    const keys = instances.map((instance, i) => {
      if (!instance || typeof instance !== 'object' || Array.isArray(instance)) {
        throw new RouterError(400, 'BAD_USER_INPUT', `instances[${i}] must be an object holding ${keyField}`);
      }
      return keyOf((instance as Json)[keyField], `instances[${i}].${keyField}`);
    });
    const { values } = await valuesByKey(source, featureView, keys);
    return {
      ...body,
      instances: instances.map((instance, i) => ({ ...(instance as Json), features: values.get(keys[i]!) })),
    };
  }
  const key = keyOf(body[keyField], keyField);
  const { values } = await valuesByKey(source, featureView, [key]);
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
export async function enrichInfer(
  source: OnlineFeatureSource,
  featureView: string,
  keyField: string,
  body: Json,
): Promise<Json> {
  const inputs = body.inputs as Tensor[];
  const keyTensor = inputs.find((input) => input && input.name === keyField);
  if (!keyTensor || !Array.isArray(keyTensor.data)) {
    throw new RouterError(400, 'BAD_USER_INPUT', `inputs must hold a tensor named ${keyField} with the entity keys`);
  }
  const keys = (keyTensor.data as unknown[]).flat(Infinity).map((value, i) => keyOf(value, `${keyField}.data[${i}]`));
  const { values, view } = await valuesByKey(source, featureView, keys);
  const features = [...view.dtypes];
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
