import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_VIEW_INPUT, startTestCairn, type TestCairn } from './testkit.ts';

const APPLY = `mutation Apply($input: ApplyFeatureViewInput!) {
  applyFeatureView(input: $input) { id name version entity features { id name dtype quality } provider { name kind } }
}`;
const REGISTER = `mutation Register($input: RegisterModelVersionInput!) {
  registerModelVersion(input: $input) { id version stage metrics params gitCommit model { name } features { id name } }
}`;

let cairn: TestCairn;

beforeAll(async () => {
  cairn = await startTestCairn();
});
afterAll(async () => {
  await cairn?.close();
});

/** Row counts of every catalog table, to prove that rejected input wrote nothing. */
async function catalogCounts() {
  const db = cairn.db;
  return {
    featureViews: await db.featureView.count(),
    features: await db.feature.count(),
    models: await db.registeredModel.count(),
    versions: await db.modelVersion.count(),
    edges: await db.lineageEdge.count(),
    audit: await db.auditEvent.count(),
  };
}

describe('the gateway over the four subgraphs', () => {
  it('answers /healthz with the parts it runs on', async () => {
    const response = await fetch(`${cairn.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      onlineStore: process.env.REDIS_URL ? 'redis' : 'memory',
    });
  });

  it('serves the web page at /', async () => {
    const response = await fetch(`${cairn.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<title>Cairn</title>');
  });

  it('answers the dashboard for its client-side routes and 404 for missing files', async () => {
    const page = await fetch(`${cairn.url}/lineage?id=feature:builtin:x`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Cairn</title>');
    expect((await fetch(`${cairn.url}/assets/missing-file.js`)).status).toBe(404);
    expect((await fetch(`${cairn.url}/no-such-route`, { headers: { accept: 'application/json' } })).status).toBe(404);
  });

  it('lists the built-in provider', async () => {
    const { data, errors } = await cairn.query('{ providers { name kind status lastSyncAt } }');
    expect(errors).toBeUndefined();
    expect(data.providers).toEqual([{ name: 'builtin', kind: 'BUILTIN', status: 'OK', lastSyncAt: null }]);
  });

  it('versions feature views: same definition keeps the version, a change makes version + 1', async () => {
    const first = await cairn.query(APPLY, { input: FEATURE_VIEW_INPUT });
    expect(first.errors).toBeUndefined();
    expect(first.data.applyFeatureView).toMatchObject({
      name: 'driver_stats',
      version: 1,
      entity: 'driver',
      provider: { name: 'builtin', kind: 'BUILTIN' },
      features: [
        { name: 'trips_today', dtype: 'INT64', quality: 'UNKNOWN' },
        { name: 'avg_rating', dtype: 'FLOAT64', quality: 'UNKNOWN' },
      ],
    });
    const again = await cairn.query(APPLY, { input: FEATURE_VIEW_INPUT });
    expect(again.data.applyFeatureView.id).toBe(first.data.applyFeatureView.id);
    expect(again.data.applyFeatureView.version).toBe(1);

    const changed = {
      ...FEATURE_VIEW_INPUT,
      features: [...FEATURE_VIEW_INPUT.features, { name: 'cancellations', dtype: 'INT64' }],
    };
    const second = await cairn.query(APPLY, { input: changed });
    expect(second.data.applyFeatureView.version).toBe(2);
    expect(second.data.applyFeatureView.features.map((f: { name: string }) => f.name)).toEqual([
      'trips_today',
      'avg_rating',
      'cancellations',
    ]);

    const old = await cairn.query(
      '{ featureView(name: "driver_stats", version: 1) { version features { name } } latest: featureView(name: "driver_stats") { version } }',
    );
    expect(old.data).toEqual({
      featureView: { version: 1, features: [{ name: 'trips_today' }, { name: 'avg_rating' }] },
      latest: { version: 2 },
    });
  });

  it('answers a query that goes feature -> usedBy -> deployments across three subgraphs', async () => {
    const view = (await cairn.query(APPLY, { input: { ...FEATURE_VIEW_INPUT, name: 'trip_stats' } })).data
      .applyFeatureView;
    const featureIds = view.features.map((f: { id: string }) => f.id);
    const v1 = await cairn.query(REGISTER, {
      input: {
        model: 'eta',
        featureIds,
        metrics: { rmse: 3.2 },
        params: { depth: 6 },
        gitCommit: 'abc1234',
        artifactUri: 's3://models/eta/1',
      },
    });
    expect(v1.errors).toBeUndefined();
    expect(v1.data.registerModelVersion).toMatchObject({
      version: 1,
      stage: 'NONE',
      metrics: { rmse: 3.2 },
      params: { depth: 6 },
      gitCommit: 'abc1234',
      model: { name: 'eta' },
    });
    expect(v1.data.registerModelVersion.features.map((f: { name: string }) => f.name).sort()).toEqual([
      'avg_rating',
      'trips_today',
    ]);
    const v2 = await cairn.query(REGISTER, { input: { model: 'eta', featureIds: [featureIds[0]] } });
    expect(v2.data.registerModelVersion.version).toBe(2);

    const answer = await cairn.query(
      `query($id: ID!) { feature(id: $id) { name featureView { name version } usedBy { version model { name } deployments { id } } } }`,
      { id: featureIds[0] },
    );
    expect(answer.errors).toBeUndefined();
    expect(answer.data.feature).toEqual({
      name: 'trips_today',
      featureView: { name: 'trip_stats', version: 1 },
      usedBy: [
        { version: 1, model: { name: 'eta' }, deployments: [] },
        { version: 2, model: { name: 'eta' }, deployments: [] },
      ],
    });

    const model = await cairn.query(
      '{ model(name: "eta") { name provider { name kind } versions { version features { name } } } }',
    );
    expect(model.data.model).toEqual({
      name: 'eta',
      provider: { name: 'builtin', kind: 'BUILTIN' },
      versions: [
        { version: 1, features: expect.arrayContaining([{ name: 'trips_today' }, { name: 'avg_rating' }]) },
        { version: 2, features: [{ name: 'trips_today' }] },
      ],
    });
    const edges = await cairn.db.lineageEdge.findMany({ where: { toId: v2.data.registerModelVersion.id } });
    expect(edges.map((e) => [e.fromId, e.relation])).toEqual([[featureIds[0], 'USES_FEATURE']]);
  });

  it('numbers concurrent registrations of one model without gaps or duplicates', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => cairn.query(REGISTER, { input: { model: 'concurrent', metrics: { auc: 0.9 } } })),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const versions = results.map((r) => r.data.registerModelVersion.version).sort((a: number, b: number) => a - b);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

describe('bad input', () => {
  it('rejects a bad feature view with BAD_USER_INPUT listing every problem, and writes nothing', async () => {
    const before = await catalogCounts();
    const answer = await cairn.query(APPLY, {
      input: {
        name: 'Bad Name',
        entity: 'driver',
        joinKey: 'driver_id',
        ttlSeconds: 0,
        features: [
          { name: 'x', dtype: 'DECIMAL' },
          { name: 'x', dtype: 'INT64' },
        ],
      },
    });
    expect(answer.data).toBeNull();
    const [error] = answer.errors!;
    expect(error!.extensions!.code).toBe('BAD_USER_INPUT');
    const paths = error!.extensions!.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(['input.features.0.dtype', 'input.features.1.name', 'input.name', 'input.ttlSeconds']);
    expect(error!.message).toContain('must be one of INT64');
    expect(await catalogCounts()).toEqual(before);
  });

  it('rejects a feature view without features', async () => {
    const before = await catalogCounts();
    const answer = await cairn.query(APPLY, { input: { ...FEATURE_VIEW_INPUT, name: 'empty_view', features: [] } });
    expect(answer.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.message).toContain('at least one feature');
    expect(await catalogCounts()).toEqual(before);
  });

  it('rejects a model version with unknown references or malformed fields, and writes nothing', async () => {
    const before = await catalogCounts();
    const answer = await cairn.query(REGISTER, {
      input: {
        model: 'fraud',
        provider: 'nowhere',
        gitCommit: 'not-a-sha',
        featureIds: ['feature:builtin:missing/v1/x', 'garbage'],
        metrics: { auc: 'high' },
        trainingDatasetId: 'dataset:builtin:none/1',
      },
    });
    expect(answer.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const paths = answer.errors![0]!.extensions!.problems.map((p: { path: string }) => p.path).sort();
    expect(paths).toEqual(['input.gitCommit', 'input.metrics.auc']);

    const references = await cairn.query(REGISTER, {
      input: {
        model: 'fraud',
        provider: 'nowhere',
        featureIds: ['feature:builtin:missing/v1/x', 'garbage'],
        trainingDatasetId: 'dataset:builtin:none/1',
      },
    });
    expect(references.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(references.errors![0]!.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      'input.featureIds.0',
      'input.featureIds.1',
      'input.provider',
      'input.trainingDatasetId',
    ]);
    expect(await catalogCounts()).toEqual(before);
    expect((await cairn.query('{ model(name: "fraud") { id } }')).data.model).toBeNull();
  });

  it('answers BAD_USER_INPUT for a malformed ID and null for an unknown one', async () => {
    const malformed = await cairn.query('{ feature(id: "nonsense") { id } }');
    expect(malformed.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const unknown = await cairn.query(
      '{ feature(id: "feature:builtin:nothing/v1/x") { id } modelVersion(id: "modelVersion:builtin:none/1") { id } }',
    );
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ feature: null, modelVersion: null });
  });

  it('rejects an online lookup of an unknown view or feature with a stable code', async () => {
    await cairn.query(APPLY, { input: FEATURE_VIEW_INPUT });
    const missing = await cairn.query('{ onlineFeatures(featureView: "nope", entityKeys: ["1"]) { entityKey } }');
    expect(missing.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const badFeature = await cairn.query(
      '{ onlineFeatures(featureView: "driver_stats", entityKeys: ["1"], features: ["speed"]) { entityKey } }',
    );
    expect(badFeature.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const unknownEntity = await cairn.query(
      '{ onlineFeatures(featureView: "driver_stats", entityKeys: ["42"], features: ["trips_today"]) { entityKey values eventTime } }',
    );
    expect(unknownEntity.data.onlineFeatures).toEqual([
      { entityKey: '42', values: { trips_today: null }, eventTime: null },
    ]);
  });
});
