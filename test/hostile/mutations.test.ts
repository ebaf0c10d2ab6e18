import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FEATURE_VIEW_INPUT,
  refuseConnectionsOffLoopback,
  startTestCairn,
  type GraphQLAnswer,
  type TestCairn,
} from '../testkit.ts';

/**
 * The hostile-input suite: every mutation of the supergraph (found by introspection, so a new one is
 * covered without editing this file; deprecated arguments, still accepted, included) gets generated
 * bad values, one field at a time, starting from a valid input against a small seeded estate so that
 * the bad value reaches the service rather than stopping at NOT_FOUND. Whatever the value: never
 * INTERNAL_SERVER_ERROR or a 5xx, never a stack trace or SQL in the answer, and when the answer is an
 * error, nothing written (the row count of every table and the audit chain's head unchanged). A
 * generated value may be valid: then the mutation applies and only the first two rules hold.
 *
 * Reproducible: CAIRN_HOSTILE_SEED fixes fast-check's seed (printed on failure with the path to
 * replay), CAIRN_HOSTILE_RUNS the runs per mutation.
 *
 * No traffic leaves loopback: the seeded deployment and webhook name 127.0.0.1:9, no test calls a
 * model server, and a webhook subscription the suite manages to create is disabled before the next
 * request (an event could otherwise deliver to a generated address).
 */
const SEED = Number(process.env.CAIRN_HOSTILE_SEED ?? 1203);
const RUNS = Number(process.env.CAIRN_HOSTILE_RUNS ?? 10);
const LOOPBACK = 'http://127.0.0.1:9';

let cairn: TestCairn;

// --- the schema, by introspection -------------------------------------------------------------

interface TypeRef {
  kind: string;
  name: string | null;
  ofType: TypeRef | null;
}
interface InputValue {
  name: string;
  type: TypeRef;
  isDeprecated?: boolean;
}
interface Schema {
  mutations: { name: string; args: InputValue[] }[];
  inputs: Map<string, InputValue[]>;
  enums: Map<string, string[]>;
}

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } }';

async function introspect(): Promise<Schema> {
  const { __schema } = await cairn.data(`{ __schema {
    mutationType { fields { name args(includeDeprecated: true) { name isDeprecated type { ${TYPE_REF} } } } }
    types { kind name inputFields { name type { ${TYPE_REF} } } enumValues { name } }
  } }`);
  return {
    mutations: __schema.mutationType.fields,
    inputs: new Map(
      __schema.types.filter((t: any) => t.kind === 'INPUT_OBJECT').map((t: any) => [t.name, t.inputFields]),
    ),
    enums: new Map(
      __schema.types
        .filter((t: any) => t.kind === 'ENUM')
        .map((t: any) => [t.name, t.enumValues.map((v: any) => v.name)]),
    ),
  };
}

/** The type as written in an operation (`[ID!]!`). */
function typeText(type: TypeRef): string {
  if (type.kind === 'NON_NULL') return `${typeText(type.ofType!)}!`;
  if (type.kind === 'LIST') return `[${typeText(type.ofType!)}]`;
  return type.name!;
}

function unwrap(type: TypeRef): { named: TypeRef; list: boolean; required: boolean } {
  const required = type.kind === 'NON_NULL';
  let inner = required ? type.ofType! : type;
  const list = inner.kind === 'LIST';
  if (list) inner = inner.ofType!.kind === 'NON_NULL' ? inner.ofType!.ofType! : inner.ofType!;
  return { named: inner, list, required };
}

// --- the seeded estate and a valid input per mutation -----------------------------------------

const estate: Record<string, string> = {};

async function seed() {
  const ok = cairn.data;
  const view = await ok(
    `mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { name version features { id name } } }`,
    { input: FEATURE_VIEW_INPUT },
  );
  estate.featureView = view.applyFeatureView.name;
  estate.featureId = view.applyFeatureView.features[0].id;
  await ok(`mutation($input: IngestFeaturesInput!) { ingestFeatures(input: $input) { accepted } }`, {
    input: {
      featureView: estate.featureView,
      rows: [{ entityKey: 'd1', eventTime: '2026-01-01T00:00:00Z', values: { trips_today: 3, avg_rating: 4.5 } }],
    },
  });
  estate.datasetId = (
    await ok(`mutation($input: CreateTrainingDatasetInput!) { createTrainingDataset(input: $input) { id } }`, {
      input: {
        name: 'hostile_ds',
        features: [`${estate.featureView}:trips_today`],
        entities: [{ entityKey: 'd1', eventTime: '2026-01-01T01:00:00Z' }],
      },
    })
  ).createTrainingDataset.id;
  const register = (n: number) =>
    ok(`mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`, {
      input: {
        model: 'hostile-model',
        artifactUri: `s3://models/hostile/${n}`,
        featureIds: [estate.featureId],
        trainingDatasetId: estate.datasetId,
        metrics: { auc: 0.9 },
      },
    });
  estate.versionId = (await register(1)).registerModelVersion.id;
  estate.otherVersionId = (await register(2)).registerModelVersion.id;
  estate.endpointId = (
    await ok(`mutation { createEndpoint(input: { name: "hostile-endpoint", owner: "ml-platform" }) { id } }`)
  ).createEndpoint.id;
  estate.deploymentId = (
    await ok(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
      input: {
        endpointId: estate.endpointId,
        modelVersionId: estate.versionId,
        strategy: 'RECREATE',
        modelServerUrl: `${LOOPBACK}/`,
      },
    })
  ).deployModelVersion.id;
  estate.incidentId = (
    await ok(`mutation($input: ReportFeatureIncidentInput!) { reportFeatureIncident(input: $input) { id } }`, {
      input: { featureId: estate.featureId, severity: 'LOW', description: 'seeded' },
    })
  ).reportFeatureIncident.id;
  estate.webhookId = (
    await ok(
      `mutation { createWebhookSubscription(input: { url: "${LOOPBACK}/hook", events: [MODEL_VERSION_PROMOTED], secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }) { id } }`,
    )
  ).createWebhookSubscription.id;
  await ok(`mutation($id: ID!) { disableWebhookSubscription(input: { id: $id }) { id } }`, { id: estate.webhookId });
  await ok(
    `mutation { applyPolicy(input: { name: "hostile-floor", appliesTo: PRODUCTION, expression: "candidate.metrics.auc >= 0.5", message: "AUC floor" }) { version } }`,
  );
}

/** A valid input per known mutation; a mutation not listed gets one built from its types (see `generic`). */
function validArgs(): Record<string, Record<string, unknown>> {
  return {
    deployModelVersion: {
      input: {
        endpointId: estate.endpointId,
        modelVersionId: estate.otherVersionId,
        strategy: 'CANARY',
        modelServerUrl: `${LOOPBACK}/`,
        rollout: { steps: [10, 100], bakeSeconds: 60, maxErrorRate: 0.1, minRequests: 10 },
      },
    },
    retireDeployment: { input: { deploymentId: estate.deploymentId } },
    createEndpoint: { input: { name: 'hostile-new', provider: 'builtin', owner: 'team', description: 'an endpoint' } },
    setTrafficSplit: {
      input: {
        endpointId: estate.endpointId,
        split: [{ deploymentId: estate.deploymentId, percent: 100 }],
        shadow: [],
      },
    },
    rollbackEndpoint: { input: { endpointId: estate.endpointId } },
    setEndpointDeployRule: {
      input: {
        endpointId: estate.endpointId,
        model: 'hostile-model',
        strategy: 'CANARY',
        modelServerUrl: `${LOOPBACK}/models/{model}/v{version}`,
        canarySteps: [10, 100],
        bakeSeconds: 60,
        maxErrorRate: 0.1,
        maxLatencyP99Ms: 500,
        minRequests: 10,
      },
    },
    removeEndpointDeployRule: { input: { endpointId: estate.endpointId } },
    createTrainingDataset: {
      input: {
        name: 'hostile_ds2',
        features: [`${estate.featureView}:trips_today`],
        entities: [{ entityKey: 'd1', eventTime: '2026-01-01T02:00:00Z' }],
      },
    },
    exportDataset: { input: { datasetId: estate.datasetId, format: 'CSV' } },
    applyFeatureView: {
      input: {
        ...FEATURE_VIEW_INPUT,
        name: 'hostile_view',
        description: 'a view',
        tags: ['core'],
        features: [{ name: 'f', dtype: 'INT64', description: 'x', checks: { min: 0 } }],
      },
    },
    reportFeatureIncident: { input: { featureId: estate.featureId, severity: 'LOW', description: 'drift' } },
    resolveFeatureIncident: { input: { id: estate.incidentId } },
    ingestFeatures: {
      input: {
        featureView: estate.featureView,
        version: 1,
        rows: [{ entityKey: 'd2', eventTime: '2026-01-01T00:00:00Z', values: { trips_today: 1 } }],
      },
    },
    materialize: { input: { featureView: estate.featureView, endTime: '2026-01-02T00:00:00Z' } },
    syncProvider: { input: { name: 'builtin', full: false } },
    approveModelVersion: { input: { modelVersionId: estate.versionId, to: 'STAGING', comment: 'looks good' } },
    promoteModelVersion: {
      input: {
        modelVersionId: estate.versionId,
        to: 'STAGING',
        dryRun: true,
        idempotencyKey: 'hostile-key',
        reason: 'test',
        expectedCurrentVersionId: estate.otherVersionId,
      },
    },
    registerModelVersion: {
      input: {
        model: 'hostile-model',
        provider: 'builtin',
        artifactUri: 's3://models/hostile/3',
        imageUri: 'registry/hostile:3',
        gitCommit: '3f2c1a9',
        trainingDatasetId: estate.datasetId,
        featureIds: [estate.featureId],
        params: { depth: 8 },
        metrics: { auc: 0.9 },
        fairnessMetrics: { gap: 0.01 },
        description: 'v3',
        tags: ['team:risk'],
        parentVersionId: estate.versionId,
      },
    },
    setModelAlias: { input: { modelVersionId: estate.versionId, alias: 'champion' } },
    applyPolicy: {
      input: {
        name: 'hostile-policy',
        appliesTo: 'STAGING',
        expression: 'candidate.metrics.auc >= 0.1',
        message: 'floor',
        severity: 'WARN',
        modelPattern: 'hostile-*',
        enabled: true,
      },
    },
    createWebhookSubscription: {
      input: {
        url: `${LOOPBACK}/hook2`,
        events: ['MODEL_VERSION_REGISTERED'],
        secret: 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD',
      },
    },
    disableWebhookSubscription: { input: { id: estate.webhookId } },
  };
}

/** A plausible value of a type, for a mutation no one wrote a valid input for. */
function generic(schema: Schema, type: TypeRef, depth = 0): unknown {
  const { named, list, required } = unwrap(type);
  if (!required && depth > 0) return undefined;
  let value: unknown;
  if (named.kind === 'ENUM') value = schema.enums.get(named.name!)![0];
  else if (named.kind === 'INPUT_OBJECT') {
    value = Object.fromEntries(
      schema.inputs
        .get(named.name!)!
        .map((field) => [field.name, generic(schema, field.type, depth + 1)])
        .filter(([, v]) => v !== undefined),
    );
  } else {
    value =
      { Int: 1, Float: 1, Boolean: false, JSON: {}, DateTime: '2026-01-01T00:00:00Z', ID: estate.versionId }[
        named.name!
      ] ?? 'hostile';
  }
  return list ? [value] : value;
}

// --- what gets corrupted, and with what ---------------------------------------------------------

interface Target {
  path: (string | number)[];
  type: TypeRef;
}

/** Every argument and input field of a mutation, set in the valid input or not, down into lists' first elements. */
function targets(schema: Schema, args: InputValue[], valid: Record<string, unknown>): Target[] {
  const found: Target[] = [];
  const walk = (fields: InputValue[], value: Record<string, unknown> | undefined, path: (string | number)[]) => {
    for (const field of fields) {
      const here = [...path, field.name];
      found.push({ path: here, type: field.type });
      const { named, list } = unwrap(field.type);
      if (named.kind !== 'INPUT_OBJECT' || here.length > 6) continue;
      const inner = schema.inputs.get(named.name!)!;
      const current = value?.[field.name];
      if (list) {
        if (Array.isArray(current) && current.length > 0)
          walk(inner, current[0] as Record<string, unknown>, [...here, 0]);
      } else {
        walk(inner, (current as Record<string, unknown>) ?? undefined, here);
      }
    }
  };
  walk(args, valid, []);
  return found;
}

const LONG = 'x'.repeat(10_000);
const nested = (levels: number) => {
  let value: unknown = 'deep';
  for (let i = 0; i < levels; i++) value = { a: [value] };
  return value;
};

/** Strings an attacker tries: empty, huge, NUL and control characters, odd Unicode, SQL, paths and URIs that must not be followed. */
const hostileString = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '\t\n',
      LONG,
      '\u0000',
      'a\u0000b',
      '\u0001\u0002\u001b[31m\u007f',
      '\ud800',
      'x\udfffy',
      '\u202eevil',
      'e\u0301',
      '🙂'.repeat(64),
      'Ω≈ç√',
      '\ufeff',
      '\u2028',
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      '1e309',
      '0x10',
      'null',
      'undefined',
      'true',
      '{}',
      '[]',
      '%s%n',
      '${jndi:ldap://127.0.0.1/x}',
      '<script>alert(1)</script>',
      "' OR '1'='1",
      "x'); DROP TABLE model_version; --",
      '"; SELECT pg_sleep(10); --',
      '\\',
      '\\\\x00',
      '../../../../etc/passwd',
      '..',
      '../',
      '..\\..\\windows\\win.ini',
      '%2e%2e/%2e%2e/etc/passwd',
      '%252e%252e%252f',
      '/etc/passwd',
      'a/../../b',
      'C:\\Windows',
      'file:///etc/passwd',
      'file:',
      'mlflow-artifacts:/../../secret',
      'mlflow-artifacts:/%2e%2e/x',
      's3://bucket/../../x',
      'gs://b/%2e%2e/',
      'javascript:alert(1)',
      'data:text/plain,x',
      'http://169.254.169.254/latest/meta-data/',
      'http://metadata.google.internal/computeMetadata/v1/',
      'http://[fd00::1]/',
      'http://[::ffff:169.254.169.254]/',
      'http://10.0.0.1:8080/',
      'http://0x7f.1/',
      'http://:::',
      'http://x:99999/',
      'http://',
      'https://user:pass@127.0.0.1:9/',
      'http://127.0.0.1:9/%00',
      'http://127.0.0.1:9/\u0000',
    ),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 24 }) },
);
const hostileNumber = fc.oneof(
  fc.constantFrom(
    -1,
    0,
    1,
    -2147483648,
    2147483647,
    2147483648,
    -2147483649,
    Number.MAX_SAFE_INTEGER + 2,
    1e308,
    -1e308,
    0.5,
    -0.0001,
    101,
    1e-320,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);
const hostileJson = fc.oneof(
  fc.constantFrom<unknown>(
    {},
    [],
    null,
    'x',
    0,
    { '\u0000': 1 },
    { a: '\u0000' },
    { a: '\ud800' },
    nested(40),
    nested(2000),
    { ['k'.repeat(10_000)]: 1 },
    Array.from({ length: 1000 }, (_, i) => i),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);
const anything = fc.oneof(
  hostileString,
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  hostileJson,
  fc.array(hostileString, { maxLength: 3 }),
);

/** Mostly values of the field's own type (so they pass GraphQL's coercion and reach the service), sometimes anything. */
function hostileFor(schema: Schema, type: TypeRef): fc.Arbitrary<unknown> {
  const { named, list } = unwrap(type);
  let own: fc.Arbitrary<unknown>;
  switch (named.kind === 'ENUM' ? 'ENUM' : named.name) {
    case 'String':
    case 'ID':
    case 'DateTime':
      own = hostileString;
      break;
    case 'Int':
    case 'Float':
      own = hostileNumber;
      break;
    case 'Boolean':
      own = fc.boolean();
      break;
    case 'JSON':
      own = hostileJson;
      break;
    case 'ENUM':
      own = fc.oneof(fc.constantFrom(...schema.enums.get(named.name!)!), hostileString);
      break;
    default:
      own = anything;
  }
  const shaped = list
    ? fc.oneof(fc.array(own, { maxLength: 4 }), fc.constant([]), fc.array(own, { minLength: 200, maxLength: 200 }))
    : own;
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: anything });
}

function withValue(args: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(args);
  let node: any = copy;
  for (const key of path.slice(0, -1)) {
    if (node[key] === undefined || node[key] === null) node[key] = typeof key === 'number' ? [] : {};
    node = node[key];
  }
  node[path.at(-1)!] = value;
  return copy;
}

// --- what must hold -----------------------------------------------------------------------------

/** Row counts of every table of the catalog and the audit chain's head. */
async function snapshot(): Promise<string> {
  const tables = await cairn.db.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_prisma%' ORDER BY table_name`,
  );
  const counts = await cairn.db.$queryRawUnsafe<{ t: string; n: bigint }[]>(
    tables
      .map(({ table_name }) => `SELECT '${table_name}' AS t, count(*) AS n FROM "${table_name}"`)
      .join(' UNION ALL '),
  );
  const head = await cairn.db.auditChainHead.findFirst();
  return JSON.stringify({
    counts: Object.fromEntries(counts.map(({ t, n }) => [t, Number(n)])),
    head: head?.hash ?? '',
  });
}

/** Jobs due or running on the queue (pg-boss, both database modes). */
async function pendingJobs(): Promise<number> {
  const [row] = await cairn.db.$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n FROM cairn_jobs.job WHERE state IN ('created', 'retry', 'active') AND start_after <= now()`,
  );
  return Number(row?.n ?? 0);
}

/**
 * Background work started by an accepted mutation (a materialization job and the checks after it)
 * writes later; wait until no job is due or running and the catalog stops changing, so that it
 * cannot be mistaken for a write by a later refused mutation.
 */
async function settle(): Promise<void> {
  let last = '';
  for (let stable = 0, tries = 0; stable < 2 && tries < 60; tries++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = await snapshot();
    stable = now === last && (await pendingJobs()) === 0 ? stable + 1 : 0;
    last = now;
  }
}

const LEAKS =
  /\n\s+at |\.ts:\d+|node_modules|\/work\/|prisma|P20\d\d|duplicate key|violates|syntax error at or near|relation "|invalid byte sequence|22021|22P05|unsupported Unicode escape|Maximum call stack|RangeError|TypeError|Cannot read prop/i;
/** Cairn's error vocabulary and GraphQL's own refusals: never INTERNAL_SERVER_ERROR, never the gateway's DOWNSTREAM_SERVICE_ERROR. */
const STABLE_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'UPSTREAM_UNAVAILABLE',
  'POLICY_DENIED',
  'NOT_SUPPORTED',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
];
/** Codes under which the service may record the attempt (a FAILED audit event): the owner failed, not the caller. */
const RECORDED_FAILURES = new Set(['UPSTREAM_UNAVAILABLE', 'NOT_SUPPORTED']);

async function send(
  mutation: { name: string; args: InputValue[] },
  args: Record<string, unknown>,
): Promise<GraphQLAnswer & { text: string }> {
  const declared = mutation.args.map((a) => `$${a.name}: ${typeText(a.type)}`).join(', ');
  const passed = mutation.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const query = `mutation${declared ? `(${declared})` : ''} { ${mutation.name}${passed ? `(${passed})` : ''} { __typename } }`;
  const response = await fetch(`${cairn.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: args }),
  });
  const text = await response.text();
  let body: object = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Checked below: every answer must be JSON.
  }
  return { status: response.status, text, ...body };
}

/** Per mutation, how its answers went (printed with CAIRN_HOSTILE_VERBOSE=1, to see the generation reach the services). */
const outcomes = new Map<string, Record<string, number>>();
function tally(mutation: string, answer: GraphQLAnswer) {
  const seen = outcomes.get(mutation) ?? {};
  const key = answer.errors ? String(answer.errors[0]?.extensions?.code) : 'applied';
  seen[key] = (seen[key] ?? 0) + 1;
  if (process.env.CAIRN_HOSTILE_VERBOSE === mutation)
    console.log(mutation, JSON.stringify(answer.errors?.[0] ?? answer.data).slice(0, 300));
  outcomes.set(mutation, seen);
}

/** Accepted URLs naming a host off loopback (an outbound policy is a later issue): listed, never called. */
const acceptedOffLoopback: string[] = [];
/** The generated URLs name metadata, link-local and private hosts: any connection off loopback is refused, and fails the suite. */
let guard: ReturnType<typeof refuseConnectionsOffLoopback>;

beforeAll(async () => {
  guard = refuseConnectionsOffLoopback();
  cairn = await startTestCairn({
    CAIRN_ROLLOUT_POLL_SECONDS: '3600',
    CAIRN_JOB_POLL_SECONDS: '0.5',
    CAIRN_WEBHOOK_MAX_ATTEMPTS: '1',
  });
  await seed();
});
afterAll(async () => {
  if (process.env.CAIRN_HOSTILE_VERBOSE) console.log(Object.fromEntries(outcomes));
  if (acceptedOffLoopback.length)
    console.warn(
      `hostile suite: URLs off loopback accepted (refused by no outbound policy yet, never called):\n  ${[...new Set(acceptedOffLoopback)].join('\n  ')}`,
    );
  await cairn?.close();
  guard.restore();
});

describe('every mutation refuses hostile input cleanly', () => {
  it('finds the mutations by introspection; the valid inputs it corrupts (those safe to apply twice) are accepted as they are', async () => {
    const schema = await introspect();
    expect(schema.mutations.length).toBeGreaterThan(15);
    const valid = validArgs();
    // The valid inputs must be valid, or the suite corrupts something that never reached the service.
    for (const name of [
      'registerModelVersion',
      'applyFeatureView',
      'applyPolicy',
      'reportFeatureIncident',
      'setEndpointDeployRule',
    ]) {
      const mutation = schema.mutations.find((m) => m.name === name)!;
      const answer = await send(mutation, valid[name]!);
      expect(answer.errors, `${name}: ${answer.text}`).toBeUndefined();
    }
  });

  it('a DateTime variable that is no date-time is BAD_USER_INPUT naming the variable, not DOWNSTREAM_SERVICE_ERROR', async () => {
    const before = await snapshot();
    const answer = await cairn.query(
      `mutation($at: DateTime) { materialize(input: { featureView: "${estate.featureView}", endTime: $at }) { id } }`,
      { at: 'yesterday' },
    );
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.message).toContain('$at');
    expect(await snapshot()).toBe(before);
  });

  it('never answers INTERNAL_SERVER_ERROR, a 5xx, a stack or SQL; a refusal writes nothing', async () => {
    const schema = await introspect();
    const valid = validArgs();
    for (const [index, mutation] of schema.mutations.entries()) {
      const base =
        valid[mutation.name] ??
        Object.fromEntries(mutation.args.filter((a) => !a.isDeprecated).map((a) => [a.name, generic(schema, a.type)]));
      const fields = targets(schema, mutation.args, base);
      const corruption = fc
        .constantFrom(...fields)
        .chain((target) => fc.tuple(fc.constant(target), hostileFor(schema, target.type)));
      await fc.assert(
        fc.asyncProperty(corruption, async ([target, value]) => {
          const before = await snapshot();
          const answer = await send(mutation, withValue(base, target.path, value));
          tally(mutation.name, answer);
          const where = `${mutation.name} ${target.path.join('.')} = ${JSON.stringify(value)?.slice(0, 200)} -> ${answer.status} ${answer.text.slice(0, 400)}`;
          expect(() => JSON.parse(answer.text), where).not.toThrow();
          expect(answer.status, where).toBeLessThan(500);
          for (const error of answer.errors ?? []) expect(STABLE_CODES, where).toContain(error.extensions?.code);
          // The answer may echo the generated value (a name in a NOT_FOUND message); leaks are looked for around it.
          const echoed = JSON.stringify(JSON.stringify(value) ?? '').slice(1, -1);
          expect(answer.text.split(echoed).join(''), where).not.toMatch(LEAKS);
          if (answer.errors) {
            const codes = answer.errors.map((e) => e.extensions?.code);
            if (!codes.some((code) => RECORDED_FAILURES.has(code)))
              expect(await snapshot(), `${where}: a refused mutation wrote`).toBe(before);
            return;
          }
          if (mutation.name === 'createWebhookSubscription')
            await cairn.db.webhookSubscription.updateMany({ where: { enabled: true }, data: { enabled: false } });
          if (/url$/i.test(String(target.path.at(-1))))
            acceptedOffLoopback.push(
              ...offLoopback(value).map((url) => `${mutation.name} ${target.path.join('.')}: ${url}`),
            );
          await settle();
        }),
        { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
      );
    }
    // Every mutation's runs in one test: about 15 s on PostgreSQL, 30 s embedded, on an idle machine.
  }, 300_000);
});

/** The generated value, when it is a URL whose host is not loopback. */
function offLoopback(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  try {
    const url = new URL(value);
    return /^(127\.|\[::1\]$|localhost$)/.test(url.hostname) ? [] : [value];
  } catch {
    return [];
  }
}

describe('the inference routes refuse hostile endpoint names cleanly', () => {
  it('answers 400 or 404 in the router error body, never a 5xx, whatever the name', async () => {
    await fc.assert(
      fc.asyncProperty(hostileString, fc.constantFrom('predict', 'infer', 'metadata', 'ready'), async (name, route) => {
        const encoded = encodeURIComponent(name);
        const path = {
          predict: `/endpoints/${encoded}/predict`,
          infer: `/v2/models/${encoded}/infer`,
          metadata: `/v2/models/${encoded}`,
          ready: `/v2/models/${encoded}/ready`,
        }[route];
        // A name the URL itself resolves away ("..", empty) is not an inference route at all.
        fc.pre(name.length > 0 && new URL(path, cairn.url).pathname === path);
        const post = route === 'predict' || route === 'infer';
        const response = await fetch(
          `${cairn.url}${path}`,
          post ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": []}' } : {},
        );
        const text = await response.text();
        const where = `${route} ${JSON.stringify(name).slice(0, 100)} -> ${response.status} ${text.slice(0, 300)}`;
        expect([400, 404], where).toContain(response.status);
        expect(JSON.parse(text), where).toEqual({
          error: { code: expect.stringMatching(/^(BAD_USER_INPUT|NOT_FOUND)$/), message: expect.any(String) },
        });
        expect(text.split(JSON.stringify(name).slice(1, -1)).join(''), where).not.toMatch(LEAKS);
      }),
      { seed: SEED, numRuns: RUNS * 4 },
    );
  });
});

describe('the URLs off loopback the suite generates', () => {
  it('are never called: no connection off loopback was attempted while every mutation and route ran', async () => {
    // Runs after the suites above (vitest keeps the file's order); jobs they queued have settled by then.
    await settle();
    expect(guard.attempts).toEqual([]);
  });
});
