/**
 * Feature store figures (issue 3): online lookup latency (100 entities x 10 features) in process at
 * the subgraph, through the gateway and as a bare pipelined HMGET; ingest throughput into the
 * offline store; a point-in-time join of 100k entity-events against the ingested history.
 *
 *   BENCH_INGEST_ROWS=200000   fewer history rows (default 1,000,000: 100k entities x 10 event times)
 *   BENCH_PIT_ENTITIES=20000   fewer entity-events in the join (default 100,000)
 *   BENCH_INGEST_CLIENTS=1     ingest calls in flight at once (default 2)
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { execute, parse } from 'graphql';
import { createClient } from 'redis';
import { parseConfig } from '../server/config.ts';
import { startCairn, type Cairn } from '../server/runtime.ts';
import { buildSubgraph } from '../subgraphs/index.ts';
import { scratchDatabase } from '../test/testkit.ts';
import { latency, post, round } from './measure.ts';

const INGEST_ROWS = Number(process.env.BENCH_INGEST_ROWS ?? 1_000_000);
const PIT_ENTITIES = Number(process.env.BENCH_PIT_ENTITIES ?? 100_000);
const EVENTS_PER_ENTITY = 10;
const INGEST_BATCH = 10_000;
const INGEST_CLIENTS = Number(process.env.BENCH_INGEST_CLIENTS ?? 2);
const FEATURES = Array.from({ length: 10 }, (_, i) => `f${i}`);
const BASE_TIME = Date.UTC(2026, 0, 1);

const view = (name: string, ttlSeconds: number) => ({
  name,
  entity: 'entity',
  joinKey: 'entity_id',
  ttlSeconds,
  features: FEATURES.map((f) => ({ name: f, dtype: 'FLOAT64' })),
});

const valuesOf = (seed: number) => Object.fromEntries(FEATURES.map((f, i) => [f, ((seed * 31 + i) % 1000) / 10]));

async function waitForRun(cairn: Cairn, id: string) {
  for (;;) {
    const run = await cairn.services.features.materialization.get(id);
    if (run?.status === 'SUCCEEDED') return run;
    if (run?.status === 'FAILED') throw new Error(`materialization failed: ${run.error}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function benchFeatures(): Promise<object> {
  const database = await scratchDatabase();
  const redisPrefix = `cairn-bench:${randomBytes(4).toString('hex')}`;
  const cairn = await startCairn(
    parseConfig({
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      CAIRN_DEMO: 'off',
      CAIRN_DATA_DIR: database.dataDir,
      DATABASE_URL: database.url ?? '',
      CAIRN_REDIS_PREFIX: redisPrefix,
    }),
  );
  try {
    const { features } = cairn.services;

    // Online lookup: 1000 entities materialized, lookups of 100 of them x 10 features.
    await features.featureViews.apply(view('bench_online', 86_400), 'bench');
    const now = Date.now();
    const onlineRows = Array.from({ length: 1000 }, (_, i) => ({
      entityKey: `e${i}`,
      eventTime: new Date(now - 60_000).toISOString(),
      values: valuesOf(i),
    }));
    await features.ingest.ingest({ featureView: 'bench_online', rows: onlineRows }, 'bench');
    const run = await features.materialization.request('bench_online', new Date(now), 'bench');
    await waitForRun(cairn, run.id);
    const keys = Array.from({ length: 100 }, (_, i) => `e${i * 7}`);
    const ONLINE =
      'query($keys: [String!]!, $features: [String!]) { onlineFeatures(featureView: "bench_online", entityKeys: $keys, features: $features) { entityKey values eventTime stale } }';
    const variables = { keys, features: FEATURES };
    const schema = await buildSubgraph('features');
    const document = parse(ONLINE);
    const atSubgraph = await latency(async () => {
      const result = await execute({
        schema,
        document,
        variableValues: variables,
        contextValue: { services: cairn.services, actor: 'bench', requestId: 'bench' },
      });
      if (result.errors) throw new Error(JSON.stringify(result.errors));
    });
    const throughGateway = await latency(() => post(`${cairn.url}/graphql`, ONLINE, variables));
    let bare: { kind: string; p50Ms: number; p99Ms: number; samples: number };
    if (process.env.REDIS_URL) {
      const client = createClient({ url: process.env.REDIS_URL });
      await client.connect();
      const fields = ['__event_time', ...FEATURES.map((f) => `f:${f}`)];
      bare = {
        kind: 'pipelined HMGET (redis client, same process)',
        ...(await latency(() =>
          Promise.all(keys.map((k) => client.hmGet(`${redisPrefix}:bench_online:${k}`, fields))),
        )),
      };
      await client.close();
    } else {
      bare = {
        kind: 'in-process store read (no REDIS_URL)',
        ...(await latency(() => cairn.onlineStore.read('bench_online', keys, FEATURES))),
      };
    }

    // Ingest: history of INGEST_ROWS rows (entities x 10 event times), through the ingest service
    // (validation, offline write, quality, audit) in batches of 10k.
    await features.featureViews.apply(view('bench_history', 7 * 86_400), 'bench');
    const entities = Math.max(1, Math.floor(INGEST_ROWS / EVENTS_PER_ENTITY));
    // Rows are built first (not timed); then INGEST_CLIENTS callers send batches of 10k at once, as
    // a loader would, each call validating, writing, checking quality and auditing.
    const batches: { entityKey: string; eventTime: string; values: Record<string, number> }[][] = [];
    let batch: (typeof batches)[number] = [];
    for (let t = 0; t < EVENTS_PER_ENTITY; t++) {
      const eventTime = new Date(BASE_TIME + t * 3_600_000).toISOString();
      for (let e = 0; e < entities; e++) {
        batch.push({ entityKey: `u${e}`, eventTime, values: valuesOf(e + t) });
        if (batch.length === INGEST_BATCH) {
          batches.push(batch);
          batch = [];
        }
      }
    }
    if (batch.length) batches.push(batch);
    const ingestStart = performance.now();
    let accepted = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: INGEST_CLIENTS }, async () => {
        while (next < batches.length) {
          const rows = batches[next++]!;
          const result = await features.ingest.ingest({ featureView: 'bench_history', rows }, 'bench');
          accepted += result.accepted;
        }
      }),
    );
    const ingestSeconds = (performance.now() - ingestStart) / 1000;

    // Point-in-time join: PIT_ENTITIES entity-events at random times within the history.
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const events = Array.from({ length: PIT_ENTITIES }, () => ({
      entityKey: `u${Math.floor(random() * entities)}`,
      eventTime: new Date(BASE_TIME + Math.floor(random() * EVENTS_PER_ENTITY * 3_600_000)),
    }));
    const pitStart = performance.now();
    const dataset = await features.datasets.create(
      { name: 'bench_training', features: FEATURES.map((f) => `bench_history:${f}`), entities: events },
      'bench',
    );
    const pitSeconds = (performance.now() - pitStart) / 1000;

    return {
      loadAverage1mAtEnd: round(loadavg()[0]!),
      database: database.url ? 'postgres' : 'pglite',
      onlineStore: cairn.onlineStore.kind,
      onlineLookup100x10: {
        atSubgraphInProcess: atSubgraph,
        throughGateway,
        bare,
        subgraphToBareRatio: { p50: round(atSubgraph.p50Ms / bare.p50Ms), p99: round(atSubgraph.p99Ms / bare.p99Ms) },
        targets: {
          gatewayP99Under10Ms: throughGateway.p99Ms < 10,
          subgraphWithin3xOfBare: atSubgraph.p50Ms / bare.p50Ms <= 3,
        },
      },
      ingest: {
        rows: accepted,
        features: FEATURES.length,
        batchRows: INGEST_BATCH,
        concurrentCalls: INGEST_CLIENTS,
        seconds: round(ingestSeconds),
        rowsPerSecond: Math.round(accepted / ingestSeconds),
        targetAtLeast50k: accepted / ingestSeconds >= 50_000,
      },
      pointInTimeJoin: {
        entityEvents: PIT_ENTITIES,
        historyRows: accepted,
        features: FEATURES.length,
        rowCount: dataset.rowCount,
        seconds: round(pitSeconds),
        targetUnder10s: pitSeconds < 10,
      },
    };
  } finally {
    await (cairn.onlineStore as { clear?: () => Promise<void> }).clear?.();
    await cairn.close();
    await database.drop();
  }
}
