/**
 * Inference router figures (issue 5): p50/p99 of a predict call through the router vs. the same
 * call made to the model server directly (the overhead target: under 2 ms p99 added), with and
 * without online feature enrichment (one entity x 100 features, and a batch of 100 entities x 10
 * features next to the online lookup of the same keys alone), and requests/s through the router
 * at 32 concurrent clients. The model server, the measuring client (bench/router-client.ts) and the
 * load generator each run in a process of their own, as real callers and servers would.
 *
 *   BENCH_LOAD_SECONDS=5   shorter load runs (default 10)
 */
import { execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { globalId } from '../platform/ids.ts';
import { parseConfig } from '../server/config.ts';
import { startCairn, type Cairn } from '../server/runtime.ts';
import { scratchDatabase } from '../test/testkit.ts';
import type { Plan } from './router-client.ts';
import { latency, round } from './measure.ts';

const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const WIDE = Array.from({ length: 100 }, (_, i) => `w${i}`);
const NARROW = Array.from({ length: 10 }, (_, i) => `n${i}`);

interface Figures {
  p50Ms: number;
  p99Ms: number;
}

async function startModelServerProcess() {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx/esm', fileURLToPath(new URL('./model-server.ts', import.meta.url))],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`model server exited (${code})`)));
  });
  return { url, stop: () => child.kill() };
}

async function materialize(cairn: Cairn, view: string, features: string[], entities: number) {
  const { services } = cairn;
  await services.features.featureViews.apply(
    {
      name: view,
      entity: 'user',
      joinKey: 'user_id',
      ttlSeconds: 86_400,
      features: features.map((name) => ({ name, dtype: 'FLOAT64' })),
    },
    'bench',
  );
  const eventTime = new Date(Date.now() - 60_000).toISOString();
  const rows = Array.from({ length: entities }, (_, e) => ({
    entityKey: `u${e}`,
    eventTime,
    values: Object.fromEntries(features.map((f, i) => [f, ((e * 31 + i) % 1000) / 10])),
  }));
  await services.features.ingest.ingest({ featureView: view, rows }, 'bench');
  const run = await services.features.materialization.request(view, new Date(), 'bench');
  for (;;) {
    const state = await services.features.materialization.get(run.id);
    if (state?.status === 'SUCCEEDED') return;
    if (state?.status === 'FAILED') throw new Error(`materialization failed: ${state.error}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function benchRouter(): Promise<object> {
  const database = await scratchDatabase();
  const model = await startModelServerProcess();
  const cairn = await startCairn(
    parseConfig({
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      CAIRN_DEMO: 'off',
      CAIRN_DATA_DIR: database.dataDir,
      DATABASE_URL: database.url ?? '',
      CAIRN_REDIS_PREFIX: `cairn-bench:router:${process.pid}`,
    }),
  );
  try {
    const version = await cairn.services.models.versions.register(
      { model: 'bench-model', artifactUri: 's3://bench/1' },
      'bench',
    );
    await materialize(cairn, 'bench_wide', WIDE, 1000);
    await materialize(cairn, 'bench_narrow', NARROW, 1000);
    const endpoint = async (name: string, featureView?: string) => {
      const id = globalId('endpoint', 'builtin', name);
      await cairn.db.endpoint.create({
        data: { id, providerName: 'builtin', name, nativeId: name, status: 'IN_SERVICE' },
      });
      await cairn.db.deployment.create({
        data: {
          id: globalId('deployment', 'builtin', `${name}/1`),
          endpointId: id,
          modelVersionId: version.id,
          strategy: 'RECREATE',
          status: 'ACTIVE',
          nativeId: `${name}/1`,
          trafficPercent: 100,
          modelServerUrl: model.url,
          featureView: featureView ?? null,
          entityKeyField: featureView ? 'user_id' : null,
        },
      });
    };
    await endpoint('plain');
    await endpoint('wide', 'bench_wide');
    await endpoint('narrow', 'bench_narrow');

    const single = JSON.stringify({ user_id: 'u42', amount: 12.5 });
    const keys = Array.from({ length: 100 }, (_, i) => `u${i * 7}`);
    const batch = JSON.stringify({ instances: keys.map((user_id) => ({ user_id, amount: 1 })) });
    const ONLINE =
      'query($keys: [String!]!) { onlineFeatures(featureView: "bench_narrow", entityKeys: $keys) { entityKey values eventTime stale } }';
    const at = (path: string, body: string) => ({ url: `${cairn.url}${path}`, body });
    const plan = {
      predict: { a: { url: `${model.url}/predict`, body: single }, b: at('/endpoints/plain/predict', single) },
      predictBatch: { a: { url: `${model.url}/predict`, body: batch }, b: at('/endpoints/plain/predict', batch) },
      enrichedWide: { a: at('/endpoints/plain/predict', single), b: at('/endpoints/wide/predict', single) },
      enrichedBatch: { a: at('/endpoints/plain/predict', batch), b: at('/endpoints/narrow/predict', batch) },
      lookupThroughGateway: { a: at('/graphql', JSON.stringify({ query: ONLINE, variables: { keys } })) },
    } satisfies Plan;
    const { stdout: measured } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx/esm', fileURLToPath(new URL('./router-client.ts', import.meta.url)), JSON.stringify(plan)],
      { maxBuffer: 16 * 1024 * 1024, env: process.env },
    );
    const m = JSON.parse(measured) as Record<keyof typeof plan, { a: Figures; b: Figures; perPair: Figures }>;
    const lookupAlone = await latency(() => cairn.services.features.online.lookup('bench_narrow', keys));

    const require = createRequire(import.meta.url);
    const autocannon = require.resolve('autocannon/autocannon.js');
    const load = async (url: string) => {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          autocannon,
          '-j',
          '-c',
          '32',
          '-d',
          String(LOAD_SECONDS),
          '-m',
          'POST',
          '-H',
          'content-type=application/json',
          '-b',
          single,
          url,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      const result = JSON.parse(stdout);
      return {
        requestsPerSecond: result.requests.average,
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        errors: result.errors + result.non2xx,
        seconds: LOAD_SECONDS,
      };
    };
    const loadRouted = await load(`${cairn.url}/endpoints/plain/predict`);
    const loadDirect = await load(`${model.url}/predict`);

    const added = (through: Figures, base: Figures) => ({
      p50Ms: round(through.p50Ms - base.p50Ms),
      p99Ms: round(through.p99Ms - base.p99Ms),
    });
    const routerAdded = added(m.predict.b, m.predict.a);
    const lookupThroughGateway = m.lookupThroughGateway.a;
    const enriched = m.enrichedBatch.b;
    const enrichmentAdded = added(enriched, m.enrichedBatch.a);
    return {
      loadAverage1mAtEnd: round(loadavg()[0]!),
      database: database.url ? 'postgres' : 'pglite',
      onlineStore: cairn.onlineStore.kind,
      setup:
        'model server (emulators/model-server.ts), client (bench/router-client.ts) and load generator each in a process of their own; calls measured in alternation',
      predict: {
        direct: m.predict.a,
        throughRouter: m.predict.b,
        addedByRouter: routerAdded,
        addedByRouterPerPair: m.predict.perPair,
        targetUnder2MsP99Added: routerAdded.p99Ms < 2,
      },
      predictBatch100: {
        direct: m.predictBatch.a,
        throughRouter: m.predictBatch.b,
        addedByRouter: added(m.predictBatch.b, m.predictBatch.a),
        addedByRouterPerPair: m.predictBatch.perPair,
      },
      enrichment: {
        oneEntityX100Features: {
          plainRouter: m.enrichedWide.a,
          throughRouter: m.enrichedWide.b,
          addedOverPlainRouter: added(m.enrichedWide.b, m.enrichedWide.a),
          addedPerPair: m.enrichedWide.perPair,
        },
        batch100EntitiesX10Features: {
          plainRouter: m.enrichedBatch.a,
          throughRouter: enriched,
          addedOverPlainRouter: enrichmentAdded,
          addedPerPair: m.enrichedBatch.perPair,
          onlineLookupThroughGateway: lookupThroughGateway,
          onlineLookupServiceInProcess: lookupAlone,
          enrichedPredictToGatewayLookupRatio: {
            p50: round(enriched.p50Ms / lookupThroughGateway.p50Ms),
            p99: round(enriched.p99Ms / lookupThroughGateway.p99Ms),
          },
          enrichmentAddedToServiceLookupRatio: {
            p50: round(enrichmentAdded.p50Ms / lookupAlone.p50Ms),
            p99: round(enrichmentAdded.p99Ms / lookupAlone.p99Ms),
          },
          targetWithin2xOfLookup:
            enriched.p50Ms <= 2 * lookupThroughGateway.p50Ms && enriched.p99Ms <= 2 * lookupThroughGateway.p99Ms,
        },
      },
      at32Clients: { throughRouter: loadRouted, modelServerDirect: loadDirect },
    };
  } finally {
    await (cairn.onlineStore as { clear?: () => Promise<void> }).clear?.();
    await cairn.close();
    model.stop();
    await database.drop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchRouter(), null, 2));
}
