/**
 * Cairn's benchmark: prints one JSON document of figures plus the machine they were taken on.
 * Runs on the embedded default unless DATABASE_URL / REDIS_URL are set (like `npm start`).
 *
 *   npm run bench                      all figures
 *   npm run bench -- models router     some sections: gateway features models lineage router deployments sync
 *   BENCH_SAMPLES=2000 npm run bench   more samples per latency figure (default 500)
 *   BENCH_INGEST_ROWS / BENCH_PIT_ENTITIES / BENCH_INGEST_CLIENTS   see bench/features.ts
 *   BENCH_LINEAGE_SCALE / BENCH_LINEAGE_SAMPLES                      see bench/lineage.ts
 *   BENCH_LOAD_SECONDS                                               load runs here and in bench/router.ts
 *   BENCH_DEPLOY_CLIENTS / BENCH_DEPLOY_CHANGES                      see bench/deployments.ts
 *   BENCH_SYNC_PACKAGES / BENCH_SYNC_ENDPOINTS                       see bench/sync.ts
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpus, totalmem, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { parseConfig } from '../server/config.ts';
import { buildSubgraph } from '../subgraphs/index.ts';
import { startCairn, type Cairn } from '../server/runtime.ts';
import { scratchDatabase } from '../test/testkit.ts';
import { benchFeatures } from './features.ts';
import { benchModels } from './models.ts';
import { benchLineage } from './lineage.ts';
import { benchRouter } from './router.ts';
import { benchDeployments } from './deployments.ts';
import { benchSync } from './sync.ts';
import { latency, post, round } from './measure.ts';

const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);

const FEATURE_OP = parse('query($id: ID!) { feature(id: $id) { id name } }');
const USED_BY_OP = parse(
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on Feature { usedBy { id version model { name } } } } }',
);
const DEPLOYMENTS_OP = parse(
  'query($r: [_Any!]!) { _entities(representations: $r) { ... on ModelVersion { deployments { id status } } } }',
);
const CROSS_SUBGRAPH = `query($id: ID!) { feature(id: $id) { name usedBy { id version model { name } deployments { id status } } } }`;

const SECTIONS = ['gateway', 'features', 'models', 'lineage', 'router', 'deployments', 'sync'] as const;
type Section = (typeof SECTIONS)[number];

function sectionsWanted(args: string[]): Set<Section> {
  const unknown = args.filter((arg) => !SECTIONS.includes(arg as Section));
  if (unknown.length) {
    console.error(`bench: unknown section(s) ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
    process.exit(2);
  }
  return new Set((args.length ? args : SECTIONS) as Section[]);
}

/** The sections after `gateway`, each on a Cairn and database of its own. */
const RUNS: Record<Exclude<Section, 'gateway'>, () => Promise<unknown>> = {
  features: benchFeatures,
  models: benchModels,
  lineage: benchLineage,
  router: benchRouter,
  deployments: benchDeployments,
  sync: benchSync,
};

async function main() {
  const wanted = sectionsWanted(process.argv.slice(2));
  const machine = () => ({
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 2 ** 30),
    loadAverage1m: round(loadavg()[0]!),
    node: process.version,
    database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
  });
  const figures: Record<string, unknown> = { machine: machine() };
  if (wanted.has('gateway')) figures.crossSubgraphQuery = await benchGateway();
  for (const [name, run] of Object.entries(RUNS)) if (wanted.has(name as Section)) figures[name] = await run();
  console.log(JSON.stringify(figures, null, 2));
}

/** The gateway's overhead: a cross-subgraph query through it, against the same fetches made directly. */
async function benchGateway() {
  // A database of its own: a fresh one on DATABASE_URL's server, or PGlite in a temp dir.
  const database = await scratchDatabase();
  const env = {
    ...process.env,
    PORT: '0',
    LOG_LEVEL: 'warn',
    CAIRN_DATA_DIR: database.dataDir,
    CAIRN_DEMO: 'on',
    DATABASE_URL: database.url ?? '',
  };
  const started: Cairn[] = [];
  try {
    const gateway = await startCairn(parseConfig(env));
    started.push(gateway);
    const subgraphEnv = { ...env, DATABASE_URL: gateway.databaseUrl, CAIRN_DEMO: 'off' };
    const features = await startCairn(parseConfig(subgraphEnv), { only: 'features' });
    const models = await startCairn(parseConfig(subgraphEnv), { only: 'models' });
    const deployments = await startCairn(parseConfig(subgraphEnv), { only: 'deployments' });
    started.push(features, models, deployments);

    const view = await post(`${gateway.url}/graphql`, '{ featureView(name: "driver_stats") { features { id name } } }');
    const featureId: string = view.featureView.features.find((f: { name: string }) => f.name === 'trips_today').id;

    // The same answer fetched from the subgraphs directly: the three fetches of the gateway's plan.
    const direct = async () => {
      const f = await post(`${features.url}/graphql`, 'query($id: ID!) { feature(id: $id) { id name } }', {
        id: featureId,
      });
      const m = await post(
        `${models.url}/graphql`,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Feature { usedBy { id version model { name } } } } }',
        {
          r: [{ __typename: 'Feature', id: f.feature.id }],
        },
      );
      const versions = m._entities[0].usedBy.map((v: { id: string }) => ({ __typename: 'ModelVersion', id: v.id }));
      await post(
        `${deployments.url}/graphql`,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on ModelVersion { deployments { id status } } } }',
        { r: versions },
      );
    };
    // The same three operations executed on the subgraph schemas in this process: resolvers and
    // SQL only, no HTTP and no gateway. Its ratio to the gateway is the gateway's own cost.
    const schemas = {
      features: await buildSubgraph('features'),
      models: await buildSubgraph('models'),
      deployments: await buildSubgraph('deployments'),
    };
    const inProcess = async () => {
      const run = async (schema: GraphQLSchema, document: DocumentNode, variableValues: Record<string, unknown>) => {
        const result = await execute({
          schema,
          document,
          variableValues,
          contextValue: { services: gateway.services, actor: 'bench', requestId: 'bench' },
        });
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        return result.data as any;
      };
      const f = await run(schemas.features, FEATURE_OP, { id: featureId });
      const m = await run(schemas.models, USED_BY_OP, { r: [{ __typename: 'Feature', id: f.feature.id }] });
      await run(schemas.deployments, DEPLOYMENTS_OP, {
        r: m._entities[0].usedBy.map((v: { id: string }) => ({ __typename: 'ModelVersion', id: v.id })),
      });
    };
    const viaGateway = () => post(`${gateway.url}/graphql`, CROSS_SUBGRAPH, { id: featureId });

    const inProcessLatency = await latency(inProcess);
    const directLatency = await latency(direct);
    const gatewayLatency = await latency(viaGateway);

    const require = createRequire(import.meta.url);
    const autocannon = require.resolve('autocannon/autocannon.js');
    // The load comes from a second process, so the clients do not share the gateway's event loop.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        autocannon,
        '-j',
        '-c',
        '16',
        '-d',
        String(LOAD_SECONDS),
        '-m',
        'POST',
        '-H',
        'content-type=application/json',
        '-b',
        JSON.stringify({ query: CROSS_SUBGRAPH, variables: { id: featureId } }),
        `${gateway.url}/graphql`,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const load = JSON.parse(stdout);

    return {
      query: 'feature -> usedBy (models) -> deployments (deployments)',
      onlineStore: gateway.onlineStore.kind,
      subgraphsInProcess: inProcessLatency,
      subgraphsDirectOverHttp: directLatency,
      throughGateway: gatewayLatency,
      gatewayOverheadP50Ratio: {
        vsSubgraphsOverHttp: round(gatewayLatency.p50Ms / directLatency.p50Ms),
        vsSubgraphsInProcess: round(gatewayLatency.p50Ms / inProcessLatency.p50Ms),
      },
      gatewayAt16Clients: {
        requestsPerSecond: load.requests.average,
        latencyP50Ms: load.latency.p50,
        latencyP99Ms: load.latency.p99,
        errors: load.errors + load.non2xx,
        seconds: LOAD_SECONDS,
      },
    };
  } finally {
    for (const cairn of started.reverse()) await cairn.close();
    await database.drop();
  }
}

await main();
