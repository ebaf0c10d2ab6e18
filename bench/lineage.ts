/**
 * Lineage figures: a synthetic estate of 3 providers, 50k features, 20k model versions, 5k
 * deployments and about 1M edges, seeded with bulk SQL through Cairn's own Prisma client (the
 * shared pool); then p50/p99 through the gateway of `impact` on a hot feature (used by 500 model
 * versions) and of `lineage(depth: 5)`, with the SQL statements each request sends.
 *
 *   BENCH_LINEAGE_SCALE=0.1   a tenth of the estate (the hot feature keeps its 500 versions)
 *   BENCH_LINEAGE_SAMPLES     timed requests per figure (default 200)
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../server/config.ts';
import { startCairn } from '../server/runtime.ts';
import { countStatements, scratchDatabase } from '../test/testkit.ts';
import { percentile, post as postTo, round } from './measure.ts';

const SCALE = Number(process.env.BENCH_LINEAGE_SCALE ?? 1);
const SAMPLES = Number(process.env.BENCH_LINEAGE_SAMPLES ?? 200);
const FEATURES_PER_VIEW = 50;
const FEATURES_PER_VERSION = 45;
const FEATURES_PER_DATASET = 20;
const HOT_USERS = 500;

const post = (url: string, query: string, variables?: Record<string, unknown>) =>
  postTo(`${url}/graphql`, query, variables);

/** SQL for a provider name by number (0..2), and the IDs the seed builds from numbers. */
const PROV = (n: string) => `(ARRAY['builtin','sagemaker-prod','vertex-prod'])[(${n}) % 3 + 1]`;
const FEATURE_ID = (f: string) =>
  `'feature:' || ${PROV(`(${f}) / ${FEATURES_PER_VIEW}`)} || ':fv' || ((${f}) / ${FEATURES_PER_VIEW}) || '/v1/f' || ((${f}) % ${FEATURES_PER_VIEW})`;
const MV_ID = (m: string) =>
  `'modelVersion:' || ${PROV(`(${m}) / 10`)} || ':m' || ((${m}) / 10) || '/' || ((${m}) % 10 + 1)`;
const DATASET_ID = (d: string) => `'dataset:' || ${PROV(d)} || ':ds' || (${d}) || '/1'`;
const DEPLOYMENT_ID = (d: string) =>
  `'deployment:' || ${PROV(`(${d}) / 2`)} || ':ep' || ((${d}) / 2) || '/d' || ((${d}) % 2)`;
const ENDPOINT_ID = (e: string) => `'endpoint:' || ${PROV(e)} || ':ep' || (${e})`;

export async function benchLineage() {
  const features = Math.round(50_000 * SCALE);
  const versions = Math.max(HOT_USERS, Math.round(20_000 * SCALE));
  const deployments = Math.round(5_000 * SCALE);
  const datasets = Math.round(2_000 * SCALE);
  const views = Math.ceil(features / FEATURES_PER_VIEW);
  const models = Math.ceil(versions / 10);
  const endpoints = Math.ceil(deployments / 2);

  const database = await scratchDatabase();
  const cairn = await startCairn(
    parseConfig({
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      CAIRN_DATA_DIR: database.dataDir,
      CAIRN_DEMO: 'off',
      DATABASE_URL: database.url ?? '',
    }),
  );
  try {
    const sql = (text: string) => cairn.db.$executeRawUnsafe(text);
    const seedStarted = performance.now();
    await sql(
      `INSERT INTO provider (name, kind) VALUES ('sagemaker-prod', 'SAGEMAKER'), ('vertex-prod', 'VERTEX_AI') ON CONFLICT DO NOTHING`,
    );
    await sql(`INSERT INTO feature_view (id, provider_name, name, version, entity, join_key, owner, definition_hash, native_id)
      SELECT 'featureView:' || ${PROV('v')} || ':fv' || v || '/v1', ${PROV('v')}, 'fv' || v, 1, 'driver', 'driver_id', 'team-' || (v % 40), 'h', 'fv' || v || '/v1'
      FROM generate_series(0, ${views - 1}) v`);
    await sql(`INSERT INTO feature (id, feature_view_id, name, dtype, position)
      SELECT ${FEATURE_ID('f')}, 'featureView:' || ${PROV(`f / ${FEATURES_PER_VIEW}`)} || ':fv' || (f / ${FEATURES_PER_VIEW}) || '/v1', 'f' || (f % ${FEATURES_PER_VIEW}), 'FLOAT64', f % ${FEATURES_PER_VIEW}
      FROM generate_series(0, ${features - 1}) f`);
    // The hot feature, in a view of its own.
    await sql(`INSERT INTO feature_view (id, provider_name, name, version, entity, join_key, owner, definition_hash, native_id)
      VALUES ('featureView:builtin:hot/v1', 'builtin', 'hot', 1, 'driver', 'driver_id', 'hot-team', 'h', 'hot/v1')`);
    await sql(
      `INSERT INTO feature (id, feature_view_id, name, dtype, position) VALUES ('feature:builtin:hot/v1/f', 'featureView:builtin:hot/v1', 'f', 'FLOAT64', 0)`,
    );
    await sql(`INSERT INTO dataset (id, provider_name, name, version, content_hash, row_count, created_by)
      SELECT ${DATASET_ID('d')}, ${PROV('d')}, 'ds' || d, 1, 'h', 1000, 'data-team' FROM generate_series(0, ${datasets - 1}) d`);
    await sql(`INSERT INTO registered_model (id, provider_name, name, native_id)
      SELECT 'model:' || ${PROV('m')} || ':m' || m, ${PROV('m')}, 'm' || m, 'm' || m FROM generate_series(0, ${models - 1}) m`);
    // A tenth of the versions in PRODUCTION, a tenth in STAGING.
    await sql(`INSERT INTO model_version (id, model_id, version, native_id, stage, created_by, training_dataset_id)
      SELECT ${MV_ID('m')}, 'model:' || ${PROV('m / 10')} || ':m' || (m / 10), m % 10 + 1, 'm' || (m / 10) || '/' || (m % 10 + 1),
             (CASE m % 10 WHEN 0 THEN 'PRODUCTION' WHEN 1 THEN 'STAGING' ELSE 'NONE' END)::"Stage", 'owner-' || (m % 100), NULL
      FROM generate_series(0, ${versions - 1}) m`);
    await sql(`INSERT INTO endpoint (id, provider_name, name, native_id, status)
      SELECT ${ENDPOINT_ID('e')}, ${PROV('e')}, 'ep' || e, 'ep' || e, 'IN_SERVICE' FROM generate_series(0, ${endpoints - 1}) e`);
    // Deployment d serves version d * (versions / deployments) behind endpoint d / 2: 90% / 10% splits.
    const stride = Math.max(1, Math.floor(versions / deployments));
    await sql(`INSERT INTO deployment (id, endpoint_id, model_version_id, strategy, status, traffic_percent, native_id)
      SELECT ${DEPLOYMENT_ID('d')}, ${ENDPOINT_ID('d / 2')}, ${MV_ID(`d * ${stride}`)}, 'CANARY', 'ACTIVE', CASE d % 2 WHEN 0 THEN 90 ELSE 10 END, 'd' || d
      FROM generate_series(0, ${deployments - 1}) d`);

    const edge = (select: string) =>
      sql(
        `INSERT INTO lineage_edge (from_id, from_kind, to_id, to_kind, relation, provider_name, valid_from) ${select}`,
      );
    const since = `now() - interval '30 days'`;
    await edge(`SELECT ${FEATURE_ID(`(m * ${FEATURES_PER_VERSION} + k) % ${features}`)}, 'feature', ${MV_ID('m')}, 'modelVersion', 'USES_FEATURE', ${PROV('m / 10')}, ${since}
      FROM generate_series(0, ${versions - 1}) m, generate_series(0, ${FEATURES_PER_VERSION - 1}) k`);
    await edge(`SELECT 'feature:builtin:hot/v1/f', 'feature', ${MV_ID(`m * ${Math.floor(versions / HOT_USERS)}`)}, 'modelVersion', 'USES_FEATURE', 'builtin', ${since}
      FROM generate_series(0, ${HOT_USERS - 1}) m`);
    await edge(`SELECT ${FEATURE_ID(`(d * 97 + k) % ${features}`)}, 'feature', ${DATASET_ID('d')}, 'dataset', 'DERIVED_FROM', ${PROV('d')}, ${since}
      FROM generate_series(0, ${datasets - 1}) d, generate_series(0, ${FEATURES_PER_DATASET - 1}) k`);
    await edge(`SELECT ${DATASET_ID(`m % ${datasets}`)}, 'dataset', ${MV_ID('m')}, 'modelVersion', 'TRAINED_ON', ${PROV('m / 10')}, ${since}
      FROM generate_series(0, ${versions - 1}) m`);
    await edge(`SELECT ${MV_ID('m - 1')}, 'modelVersion', ${MV_ID('m')}, 'modelVersion', 'FINE_TUNED_FROM', ${PROV('m / 10')}, ${since}
      FROM generate_series(0, ${versions - 1}) m WHERE m % 10 = 9`);
    await edge(`SELECT ${MV_ID(`d * ${stride}`)}, 'modelVersion', ${DEPLOYMENT_ID('d')}, 'deployment', 'DEPLOYED_AS', ${PROV('d / 2')}, ${since}
      FROM generate_series(0, ${deployments - 1}) d`);
    await edge(`SELECT ${DEPLOYMENT_ID('d')}, 'deployment', ${ENDPOINT_ID('d / 2')}, 'endpoint', 'SERVED_BY', ${PROV('d / 2')}, ${since}
      FROM generate_series(0, ${deployments - 1}) d`);
    // History: a retired deployment's edges per 10 live ones.
    await edge(`SELECT ${MV_ID(`d * ${stride} + 1`)}, 'modelVersion', 'deployment:builtin:old' || d, 'deployment', 'DEPLOYED_AS', 'builtin', now() - interval '60 days'
      FROM generate_series(0, ${Math.floor(deployments / 10)}) d`);
    await sql(
      `UPDATE lineage_edge SET valid_to = now() - interval '31 days' WHERE to_id LIKE 'deployment:builtin:old%'`,
    );
    // Open incidents on 20 features, some of them upstream of production deployments.
    await sql(
      `INSERT INTO feature_incident (id, feature_id, severity, description) SELECT gen_random_uuid()::text, ${FEATURE_ID(`i * 997 % ${features}`)}, 'HIGH', 'bench' FROM generate_series(0, 19) i`,
    );
    await sql('ANALYZE');
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const edges = await cairn.db.lineageEdge.count();

    const hot = 'feature:builtin:hot/v1/f';
    const aDeployment = `deployment:builtin:ep0/d0`;
    const IMPACT = `query($id: ID!) { impact(id: $id) { providers productionDeployments { id } impactedDeployments { endpointName trafficPercent owner atRisk } summary { modelVersions deployments productionDeployments atRiskDeployments endpoints byProvider { provider modelVersions } byStage { stage modelVersions } } } }`;
    const LINEAGE = `query($id: ID!, $direction: LineageDirection) { lineage(id: $id, direction: $direction, depth: 5) { truncated nodes { id kind name provider depth } edges { from to relation } } }`;
    const IMPACT_FEDERATED = `query($id: ID!) { impact(id: $id) { modelVersions { id stage } productionDeployments { id status } endpoints { name } } }`;

    const measure = async (query: string, variables: Record<string, unknown>) => {
      const first = await post(cairn.url, query, variables);
      for (let i = 0; i < 20; i++) await post(cairn.url, query, variables);
      const statements = await countStatements(() => post(cairn.url, query, variables));
      const times: number[] = [];
      for (let i = 0; i < SAMPLES; i++) {
        const start = performance.now();
        await post(cairn.url, query, variables);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      return {
        first,
        figures: {
          p50Ms: round(percentile(times, 50)),
          p99Ms: round(percentile(times, 99)),
          samples: SAMPLES,
          sqlStatementsPerRequest: statements,
        },
      };
    };

    const impact = await measure(IMPACT, { id: hot });
    const impactFederated = await measure(IMPACT_FEDERATED, { id: hot });
    const lineageHot = await measure(LINEAGE, { id: hot, direction: 'BOTH' });
    const lineageUp = await measure(LINEAGE, { id: aDeployment, direction: 'UPSTREAM' });
    const atRisk = await measure(
      '{ atRiskDeployments(first: 500) { totalCount nodes { deployment { id } trafficPercent } } }',
      {},
    );
    return {
      estate: {
        scale: SCALE,
        providers: 3,
        features: features + 1,
        featureViews: views + 1,
        datasets,
        modelVersions: versions,
        deployments,
        endpoints,
        edges,
        hotFeatureUsers: HOT_USERS,
        seedSeconds: round(seedSeconds),
      },
      impactOfHotFeature: {
        ...impact.figures,
        summary: { ...impact.first.impact.summary, byProvider: undefined, byStage: undefined },
      },
      impactOfHotFeatureWithEntitiesFromOwners: impactFederated.figures,
      lineageOfHotFeatureDepth5: {
        ...lineageHot.figures,
        nodes: lineageHot.first.lineage.nodes.length,
        edges: lineageHot.first.lineage.edges.length,
        truncated: lineageHot.first.lineage.truncated,
      },
      lineageUpstreamOfDeploymentDepth5: {
        ...lineageUp.figures,
        nodes: lineageUp.first.lineage.nodes.length,
        edges: lineageUp.first.lineage.edges.length,
      },
      atRiskDeploymentsAcrossProviders: { ...atRisk.figures, deployments: atRisk.first.atRiskDeployments.totalCount },
      targets: { impactP99Ms: 100, lineageP99Ms: 200 },
    };
  } finally {
    await cairn.close();
    // BENCH_LINEAGE_KEEP=1 keeps the seeded database (its URL on stderr) for EXPLAIN ANALYZE.
    if (process.env.BENCH_LINEAGE_KEEP) console.error(`kept ${database.url}`);
    else await database.drop();
  }
}

/** SQL statements one request sends (job queue polling excluded; fewest of three, background work can only add). */

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await benchLineage(), null, 2));
