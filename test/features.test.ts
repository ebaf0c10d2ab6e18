import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetReadObjects } from 'hyparquet';
import { startTestCairn, waitFor, type TestCairn } from './testkit.ts';

/** The test's "now": staleness, TTL and default materialization end times use it, so nothing sleeps. */
const NOW = new Date('2026-03-01T12:00:00Z');
const at = (minutesBeforeNow: number) => new Date(NOW.getTime() - minutesBeforeNow * 60_000).toISOString();

const APPLY = `mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { id name version features { id name quality checks } } }`;
const INGEST = `mutation($input: IngestFeaturesInput!) { ingestFeatures(input: $input) { accepted rejected errors rowErrors { index entityKey reason } } }`;
const MATERIALIZE = `mutation($view: String!, $end: DateTime) { materialize(input: { featureView: $view, endTime: $end }) { id status rowsWritten featureView } }`;
const RUN = `query($id: ID!) { materializationRun(id: $id) { id status rowsWritten endTime startedAt finishedAt durationMs error } }`;
const ONLINE = `query($view: String!, $keys: [String!]!, $features: [String!]) { onlineFeatures(featureView: $view, entityKeys: $keys, features: $features) { entityKey values eventTime stale } }`;
const CREATE_DATASET = `mutation($input: CreateTrainingDatasetInput!) { createTrainingDataset(input: $input) { id name version contentHash rowCount rows(limit: 100) features { id name } } }`;

const RIDES = {
  name: 'rides',
  entity: 'driver',
  joinKey: 'driver_id',
  ttlSeconds: 3600,
  owner: 'marketplace',
  tags: ['core'],
  features: [
    { name: 'trips', dtype: 'INT64', checks: { min: 0, maxNullRatio: 0.5 } },
    { name: 'rating', dtype: 'FLOAT64', checks: { min: 1, max: 5 } },
    { name: 'tier', dtype: 'STRING', checks: { allowedValues: ['gold', 'silver'] } },
    { name: 'embedding', dtype: 'FLOAT32_LIST' },
  ],
};

let cairn: TestCairn;
beforeAll(async () => {
  cairn = await startTestCairn({}, { clock: () => NOW });
  const applied = await cairn.query(APPLY, { input: RIDES });
  expect(applied.errors).toBeUndefined();
});
afterAll(async () => {
  await cairn?.close();
});

const ok = <T = any>(query: string, variables?: Record<string, unknown>) => cairn.data<T>(query, variables);

async function counts() {
  const db = cairn.db;
  return {
    offline: await db.offlineFeatureRow.count(),
    datasets: await db.dataset.count(),
    datasetRows: await db.datasetRow.count(),
    incidents: await db.featureIncident.count(),
    runs: await db.materializationRun.count(),
    edges: await db.lineageEdge.count(),
    audit: await db.auditEvent.count(),
  };
}

async function materialized(view: string, end?: string) {
  const { materialize } = await ok(MATERIALIZE, { view, end });
  expect(materialize.status).toBe('PENDING');
  return waitFor(
    async () => {
      const { materializationRun: run } = await ok(RUN, { id: materialize.id });
      return run.status === 'SUCCEEDED' || run.status === 'FAILED' ? run : undefined;
    },
    { what: `materialization run ${materialize.id}` },
  );
}

const featureQuality = async (view: string) =>
  Object.fromEntries(
    (await ok(`{ featureView(name: "${view}") { features { name quality lastChecks } } }`)).featureView.features.map(
      (f: any) => [f.name, f],
    ),
  );

describe('ingest into the offline store', () => {
  it('lands good rows and rejects bad ones with their index and reason', async () => {
    const before = await counts();
    const { ingestFeatures } = await ok(INGEST, {
      input: {
        featureView: 'rides',
        rows: [
          {
            entityKey: 'd1',
            eventTime: at(30),
            values: { trips: 3, rating: 4.5, tier: 'gold', embedding: [0.1, 0.2] },
          },
          { entityKey: 'd2', eventTime: at(30), values: { trips: 'many' } },
          { entityKey: 'd3', eventTime: 'yesterday', values: { trips: 1 } },
          { entityKey: 'd4', eventTime: at(30), values: { speed: 80 } },
          { entityKey: 'd5', eventTime: at(30), values: { trips: 1.5, embedding: ['x'] } },
          { entityKey: 'd6', eventTime: at(20), values: { trips: 7, rating: null, tier: 'silver' } },
          { entityKey: '', eventTime: at(30), values: {} },
        ],
      },
    });
    expect(ingestFeatures.accepted).toBe(2);
    expect(ingestFeatures.rejected).toBe(5);
    expect(ingestFeatures.rowErrors.map((e: any) => [e.index, e.entityKey])).toEqual([
      [1, 'd2'],
      [2, 'd3'],
      [3, 'd4'],
      [4, 'd5'],
      [6, ''],
    ]);
    const reasons = ingestFeatures.rowErrors.map((e: any) => e.reason);
    expect(reasons[0]).toContain('trips: "many" is not a INT64');
    expect(reasons[1]).toContain('is not an ISO 8601 time');
    expect(reasons[2]).toContain('unknown feature "speed"');
    expect(reasons[3]).toMatch(/trips: 1.5 is not a INT64; embedding: \["x"\] is not a FLOAT32_LIST/);
    expect(ingestFeatures.errors[0]).toMatch(/^rows\.1: /);
    expect((await counts()).offline).toBe(before.offline + 2);
  });

  it('is idempotent on (entity, event time): the same rows again add nothing and the last value wins', async () => {
    const rows = [{ entityKey: 'idem', eventTime: at(50), values: { trips: 1 } }];
    await ok(INGEST, { input: { featureView: 'rides', rows } });
    const before = (await counts()).offline;
    const again = await ok(INGEST, { input: { featureView: 'rides', rows: [{ ...rows[0], values: { trips: 2 } }] } });
    expect(again.ingestFeatures).toMatchObject({ accepted: 1, rejected: 0 });
    expect((await counts()).offline).toBe(before);
    const stored = await cairn.db.offlineFeatureRow.findMany({ where: { featureView: 'rides', entityKey: 'idem' } });
    expect(stored.map((r) => r.values)).toEqual([{ trips: 2, rating: null, tier: null, embedding: null }]);
  });

  it('rejects a batch for an unknown view or without rows, writing nothing', async () => {
    const before = await counts();
    const unknown = await cairn.query(INGEST, {
      input: { featureView: 'nope', rows: [{ entityKey: 'a', eventTime: at(1), values: {} }] },
    });
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const empty = await cairn.query(INGEST, { input: { featureView: 'Bad Name', rows: [] } });
    expect(empty.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(empty.errors![0]!.extensions!.problems.map((p: any) => p.path).sort()).toEqual([
      'input.featureView',
      'input.rows',
    ]);
    expect(await counts()).toEqual(before);
  });
});

describe('quality', () => {
  it('is VALIDATED when the declared checks pass, FAILING with the results when one fails, UNKNOWN without checks', async () => {
    await cairn.query(APPLY, {
      input: {
        name: 'quality_view',
        entity: 'driver',
        joinKey: 'driver_id',
        ttlSeconds: 600,
        features: [
          { name: 'score', dtype: 'FLOAT64', checks: { min: 0, max: 1 } },
          { name: 'note', dtype: 'STRING' },
        ],
      },
    });
    expect((await featureQuality('quality_view')).score.quality).toBe('UNKNOWN');
    await ok(INGEST, {
      input: {
        featureView: 'quality_view',
        rows: [{ entityKey: 'a', eventTime: at(5), values: { score: 0.4, note: 'x' } }],
      },
    });
    let quality = await featureQuality('quality_view');
    expect(quality.score.quality).toBe('VALIDATED');
    expect(quality.note.quality).toBe('UNKNOWN');
    await ok(INGEST, {
      input: { featureView: 'quality_view', rows: [{ entityKey: 'b', eventTime: at(5), values: { score: 3 } }] },
    });
    quality = await featureQuality('quality_view');
    expect(quality.score.quality).toBe('FAILING');
    expect(quality.score.lastChecks).toEqual([
      { check: 'min', threshold: 0, observed: 3, passed: true },
      { check: 'max', threshold: 1, observed: 3, passed: false },
    ]);
  });

  it('rejects bad check declarations with their paths', async () => {
    const answer = await cairn.query(APPLY, {
      input: {
        name: 'bad_checks',
        entity: 'e',
        joinKey: 'k',
        features: [{ name: 'x', dtype: 'INT64', checks: { min: 5, max: 1, maxNullRatio: 2 } }],
      },
    });
    expect(answer.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.extensions!.problems.map((p: any) => p.path).sort()).toEqual([
      'input.features.0.checks.maxNullRatio',
      'input.features.0.checks.min',
    ]);
  });
});

describe('materialization and online serving', () => {
  it('copies the latest value per entity within TTL as a background run, then serves it with nulls for unknown entities', async () => {
    await cairn.query(APPLY, { input: { ...RIDES, name: 'online_rides' } });
    await ok(INGEST, {
      input: {
        featureView: 'online_rides',
        rows: [
          { entityKey: 'a', eventTime: at(40), values: { trips: 1, tier: 'gold' } },
          { entityKey: 'a', eventTime: at(10), values: { trips: 2, tier: 'silver', embedding: [1, 2] } },
          { entityKey: 'a', eventTime: at(-30), values: { trips: 99 } }, // in the future of NOW: not as of NOW
          { entityKey: 'gone', eventTime: at(120), values: { trips: 5 } }, // older than the 1 h TTL at NOW
        ],
      },
    });
    const run = await materialized('online_rides');
    expect(run).toMatchObject({ status: 'SUCCEEDED', rowsWritten: 1, endTime: NOW.toISOString(), error: null });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    const { onlineFeatures } = await ok(ONLINE, {
      view: 'online_rides',
      keys: ['a', 'gone', 'unknown'],
      features: ['trips', 'tier', 'embedding'],
    });
    expect(onlineFeatures).toEqual([
      { entityKey: 'a', values: { trips: 2, tier: 'silver', embedding: [1, 2] }, eventTime: at(10), stale: false },
      { entityKey: 'gone', values: { trips: null, tier: null, embedding: null }, eventTime: null, stale: false },
      { entityKey: 'unknown', values: { trips: null, tier: null, embedding: null }, eventTime: null, stale: false },
    ]);
    // Quality was evaluated on what was materialized too.
    expect((await cairn.db.featureCheckResult.findMany({ where: { trigger: 'MATERIALIZE' } })).length).toBeGreaterThan(
      0,
    );
  });

  it('marks values older than the TTL as stale', async () => {
    await cairn.query(APPLY, { input: { ...RIDES, name: 'stale_rides' } });
    await ok(INGEST, {
      input: { featureView: 'stale_rides', rows: [{ entityKey: 's', eventTime: at(100), values: { trips: 4 } }] },
    });
    // Materialized as of 90 minutes ago the value was 10 minutes old; at NOW it is 100 minutes old, TTL 60.
    const run = await materialized('stale_rides', at(90));
    expect(run.rowsWritten).toBe(1);
    const { onlineFeatures } = await ok(ONLINE, { view: 'stale_rides', keys: ['s'], features: ['trips'] });
    expect(onlineFeatures).toEqual([{ entityKey: 's', values: { trips: 4 }, eventTime: at(100), stale: true }]);
  });

  it('runs incrementally from the last watermark and lists runs', async () => {
    await cairn.query(APPLY, { input: { ...RIDES, name: 'incremental_rides' } });
    const many = Array.from({ length: 50 }, (_, i) => ({ entityKey: `e${i}`, eventTime: at(5), values: { trips: i } }));
    await ok(INGEST, { input: { featureView: 'incremental_rides', rows: many } });
    expect((await materialized('incremental_rides')).rowsWritten).toBe(50);
    await ok(INGEST, {
      input: {
        featureView: 'incremental_rides',
        rows: [{ entityKey: 'e7', eventTime: at(1), values: { trips: 700 } }],
      },
    });
    expect((await materialized('incremental_rides')).rowsWritten).toBe(1);
    const { onlineFeatures } = await ok(ONLINE, { view: 'incremental_rides', keys: ['e7', 'e8'], features: ['trips'] });
    expect(onlineFeatures.map((v: any) => v.values.trips)).toEqual([700, 8]);
    const { materializationRuns } = await ok(
      '{ materializationRuns(featureView: "incremental_rides") { status rowsWritten } }',
    );
    expect(materializationRuns).toEqual([
      { status: 'SUCCEEDED', rowsWritten: 1 },
      { status: 'SUCCEEDED', rowsWritten: 50 },
    ]);
  });

  it('rejects a materialization of an unknown view, creating no run', async () => {
    const before = await counts();
    const answer = await cairn.query(MATERIALIZE, { view: 'missing_view' });
    expect(answer.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });
});

describe('training datasets', () => {
  beforeAll(async () => {
    await cairn.query(APPLY, {
      input: {
        name: 'pit_view',
        entity: 'driver',
        joinKey: 'driver_id',
        ttlSeconds: 7200,
        features: [
          { name: 'x', dtype: 'INT64' },
          { name: 'label', dtype: 'STRING' },
        ],
      },
    });
    await ok(INGEST, {
      input: {
        featureView: 'pit_view',
        rows: [
          { entityKey: 'a', eventTime: '2026-01-01T01:00:00Z', values: { x: 1, label: 'one' } },
          { entityKey: 'a', eventTime: '2026-01-01T03:00:00Z', values: { x: 3, label: 'three' } },
          { entityKey: 'b', eventTime: '2026-01-01T01:00:00Z', values: { x: 10, label: 'ten' } },
        ],
      },
    });
  });
  const entities = [
    { entityKey: 'a', eventTime: '2026-01-01T00:30:00Z' },
    { entityKey: 'a', eventTime: '2026-01-01T02:59:59Z' },
    { entityKey: 'a', eventTime: '2026-01-01T03:00:00Z' },
    { entityKey: 'b', eventTime: '2026-01-01T04:00:00Z' },
    { entityKey: 'nobody', eventTime: '2026-01-01T04:00:00Z' },
  ];
  const spec = { name: 'eta_training', features: ['pit_view:x', 'pit_view:label', 'rides:trips'], entities };

  it('joins point in time: the latest value at or before each event time, never a later one, null past TTL', async () => {
    const { createTrainingDataset: ds } = await ok(CREATE_DATASET, { input: spec });
    expect(ds).toMatchObject({ name: 'eta_training', version: 1, rowCount: 5 });
    expect(ds.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(ds.rows.map((r: any) => [r.entityKey, r.eventTime, r.values])).toEqual([
      ['a', '2026-01-01T00:30:00.000Z', { 'pit_view:x': null, 'pit_view:label': null, 'rides:trips': null }],
      ['a', '2026-01-01T02:59:59.000Z', { 'pit_view:x': 1, 'pit_view:label': 'one', 'rides:trips': null }],
      ['a', '2026-01-01T03:00:00.000Z', { 'pit_view:x': 3, 'pit_view:label': 'three', 'rides:trips': null }],
      ['b', '2026-01-01T04:00:00.000Z', { 'pit_view:x': null, 'pit_view:label': null, 'rides:trips': null }],
      ['nobody', '2026-01-01T04:00:00.000Z', { 'pit_view:x': null, 'pit_view:label': null, 'rides:trips': null }],
    ]);
    const paged = await ok(`query($id: ID!) { dataset(id: $id) { rows(offset: 2, limit: 2) } }`, { id: ds.id });
    expect(paged.dataset.rows.map((r: any) => r.values['pit_view:x'])).toEqual([3, null]);
    // It records the exact feature versions, and lineage edges from each to the dataset.
    const view = await ok(
      '{ featureView(name: "pit_view") { features { id } } rides: featureView(name: "rides") { features { id name } } }',
    );
    const expected = [
      ...view.featureView.features.map((f: any) => f.id),
      view.rides.features.find((f: any) => f.name === 'trips').id,
    ];
    expect(ds.features.map((f: any) => f.id)).toEqual(expected);
    const edges = await cairn.db.lineageEdge.findMany({ where: { toId: ds.id } });
    expect(edges.map((e) => [e.fromId, e.relation]).sort()).toEqual(
      expected.map((id: string) => [id, 'DERIVED_FROM']).sort(),
    );
    expect(await cairn.db.auditEvent.count({ where: { subjectId: ds.id, action: 'createTrainingDataset' } })).toBe(1);
  });

  it('gives the same content hash for the same spec and data, and a new version when the data changed', async () => {
    const first = (await ok(CREATE_DATASET, { input: spec })).createTrainingDataset;
    const again = (await ok(CREATE_DATASET, { input: spec })).createTrainingDataset;
    expect(again).toMatchObject({ id: first.id, version: first.version, contentHash: first.contentHash });
    const renamed = (await ok(CREATE_DATASET, { input: { ...spec, name: 'eta_training_copy' } })).createTrainingDataset;
    expect(renamed.contentHash).toBe(first.contentHash);
    // A late-arriving value inside the window changes the join, hence the hash and the version.
    await ok(INGEST, {
      input: {
        featureView: 'pit_view',
        rows: [{ entityKey: 'a', eventTime: '2026-01-01T02:00:00Z', values: { x: 2, label: 'two' } }],
      },
    });
    const changed = (await ok(CREATE_DATASET, { input: spec })).createTrainingDataset;
    expect(changed.version).toBe(first.version + 1);
    expect(changed.contentHash).not.toBe(first.contentHash);
    expect(changed.rows[1].values['pit_view:x']).toBe(2);
    const { datasets } = await ok('{ datasets(name: "eta_training") { version contentHash } }');
    expect(datasets.map((d: any) => d.version)).toEqual([1, 2]);
  });

  it('exports CSV and Parquet under the data directory', async () => {
    const { createTrainingDataset: ds } = await ok(CREATE_DATASET, { input: { ...spec, name: 'export_me' } });
    const EXPORT = `mutation($input: ExportDatasetInput!) { exportDataset(input: $input) { path format rowCount bytes } }`;
    const csv = (await ok(EXPORT, { input: { datasetId: ds.id, format: 'CSV' } })).exportDataset;
    expect(csv.path.startsWith(cairn.config.dataDir)).toBe(true);
    expect(csv.rowCount).toBe(5);
    const lines = (await readFile(csv.path, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('entity_key,event_time,pit_view:x,pit_view:label,rides:trips');
    expect(lines[2]).toBe('a,2026-01-01T02:00:00.000Z,2,two,'.replace('02:00:00', '02:59:59'));
    const parquet = (await ok(EXPORT, { input: { datasetId: ds.id, format: 'PARQUET' } })).exportDataset;
    const bytes = await readFile(parquet.path);
    const objects = await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    });
    expect(objects).toHaveLength(5);
    expect(objects[2]).toMatchObject({
      entity_key: 'a',
      'pit_view:x': 3n,
      'pit_view:label': 'three',
      'rides:trips': null,
    });
  });

  it('rejects unknown views and features with every problem, writing nothing', async () => {
    const before = await counts();
    const answer = await cairn.query(CREATE_DATASET, {
      input: { name: 'broken', features: ['pit_view:x', 'pit_view:nope', 'ghost:y', 'not a ref'], entities },
    });
    expect(answer.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const resolved = await cairn.query(CREATE_DATASET, {
      input: { name: 'broken', features: ['pit_view:x', 'pit_view:nope', 'ghost:y'], entities },
    });
    expect(resolved.errors![0]!.extensions!.problems.map((p: any) => p.path)).toEqual([
      'input.features.1',
      'input.features.2',
    ]);
    const empty = await cairn.query(CREATE_DATASET, {
      input: { name: 'broken', features: ['pit_view:x'], entities: [] },
    });
    expect(empty.errors![0]!.extensions!.problems.map((p: any) => p.path)).toEqual(['input.entities']);
    expect(await counts()).toEqual(before);
  });
});

describe('incidents', () => {
  it('opens and resolves incidents; openIncidents follows', async () => {
    const { featureView } = await ok('{ featureView(name: "rides") { features { id name } } }');
    const featureId = featureView.features[0].id;
    const REPORT = `mutation($input: ReportFeatureIncidentInput!) { reportFeatureIncident(input: $input) { id severity status description reportedBy feature { id } } }`;
    const { reportFeatureIncident: incident } = await ok(REPORT, {
      input: { featureId, severity: 'HIGH', description: 'upstream job double-counted trips' },
    });
    expect(incident).toMatchObject({
      severity: 'HIGH',
      status: 'OPEN',
      reportedBy: 'local',
      feature: { id: featureId },
    });
    const open = async () =>
      (await ok(`query($id: ID!) { feature(id: $id) { openIncidents { id } } }`, { id: featureId })).feature
        .openIncidents;
    expect(await open()).toEqual([{ id: incident.id }]);
    const RESOLVE = `mutation($id: ID!) { resolveFeatureIncident(input: { id: $id }) { id status resolvedAt } }`;
    const { resolveFeatureIncident: resolved } = await ok(RESOLVE, { id: incident.id });
    expect(resolved.status).toBe('RESOLVED');
    expect(await open()).toEqual([]);
    expect((await ok(RESOLVE, { id: incident.id })).resolveFeatureIncident).toEqual(resolved);
    // The deprecated form (`id:` rather than `input:`), kept until it is removed: the same answer.
    const DEPRECATED = `mutation($id: ID) { resolveFeatureIncident(id: $id) { id status resolvedAt } }`;
    expect((await ok(DEPRECATED, { id: incident.id })).resolveFeatureIncident).toEqual(resolved);
    expect(
      await cairn.db.auditEvent.count({
        where: { subjectId: featureId, action: { in: ['reportFeatureIncident', 'resolveFeatureIncident'] } },
      }),
    ).toBe(2);
  });

  it('rejects an incident on an unknown feature or without a description, and an unknown incident ID', async () => {
    const before = await counts();
    const REPORT = `mutation($input: ReportFeatureIncidentInput!) { reportFeatureIncident(input: $input) { id } }`;
    const bad = await cairn.query(REPORT, { input: { featureId: 'garbage', severity: 'LOW', description: ' ' } });
    expect(bad.errors![0]!.extensions!.problems.map((p: any) => p.path).sort()).toEqual([
      'input.description',
      'input.featureId',
    ]);
    const unknown = await cairn.query(REPORT, {
      input: { featureId: 'feature:builtin:none/v1/x', severity: 'LOW', description: 'x' },
    });
    expect(unknown.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const missing = await cairn.query(
      'mutation { resolveFeatureIncident(input: { id: "00000000-0000-4000-8000-000000000000" }) { id } }',
    );
    expect(missing.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    expect(await counts()).toEqual(before);
  });
});

describe('listing feature views', () => {
  it('filters by owner, tag, name prefix and provider, and pages', async () => {
    const list = async (args: string) =>
      (await ok(`{ featureViews(${args}) { totalCount items { name version } } }`)).featureViews;
    const byOwner = await list('filter: { owner: "marketplace" }');
    expect(byOwner.items.map((v: any) => v.name)).toEqual([
      'incremental_rides',
      'online_rides',
      'rides',
      'stale_rides',
    ]);
    expect((await list('filter: { tag: "core", namePrefix: "online" }')).items).toEqual([
      { name: 'online_rides', version: 1 },
    ]);
    const page = await list('filter: { provider: "builtin" }, limit: 2, offset: 1');
    expect(page.items).toHaveLength(2);
    expect(page.totalCount).toBeGreaterThanOrEqual(6);
    expect((await list('filter: { provider: "sagemaker" }')).totalCount).toBe(0);
  });
});
