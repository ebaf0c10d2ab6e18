import type { Database } from '../platform/database.ts';
import { log } from '../platform/log.ts';
import type { Services } from '../subgraphs/services.ts';

/**
 * The small built-in demo estate `npm start` shows (CAIRN_DEMO=off skips it): a feature view, a
 * model version that uses two of its features, and a built-in endpoint serving it. Safe to run at
 * every start: applying the same definition keeps its version, and the model and the endpoint are
 * made only once.
 */
export async function seedDemo(services: Services, actor: string, demo: { db: Database; modelServerUrl: string }): Promise<void> {
  const view = await services.features.featureViews.apply(
    {
      name: 'driver_stats',
      entity: 'driver',
      joinKey: 'driver_id',
      ttlSeconds: 86_400,
      owner: 'ml-platform',
      description: 'Hourly aggregates of each driver\'s trips',
      tags: ['demo'],
      features: [
        { name: 'trips_today', dtype: 'INT64', description: 'Trips completed since midnight' },
        { name: 'avg_rating', dtype: 'FLOAT64', description: 'Rolling 30-day rating' },
        { name: 'acceptance_rate', dtype: 'FLOAT64', description: 'Share of offers accepted' },
      ],
    },
    actor,
  );
  if (!(await services.models.versions.modelByName('eta_predictor'))) await registerEtaPredictor(services, actor, view.id);
  await deployEtaPredictor(services, actor, demo);
}

async function registerEtaPredictor(services: Services, actor: string, viewId: string) {
  const features = await services.features.features.byViewIds([viewId]);
  await services.models.versions.register(
    {
      model: 'eta_predictor',
      artifactUri: 's3://cairn-demo/models/eta_predictor/1/model.tar.gz',
      gitCommit: '3f2c1a9b7d4e',
      featureIds: features.filter((f) => f.name !== 'acceptance_rate').map((f) => f.id),
      params: { max_depth: 8, learning_rate: 0.05 },
      metrics: { rmse: 3.42, mae: 2.61 },
    },
    actor,
  );
  log.info('demo estate seeded: feature view driver_stats, model eta_predictor v1');
}

/** The demo's built-in endpoint, serving eta_predictor v1 (enriched with driver_stats by driver_id); made once. */
async function deployEtaPredictor(services: Services, actor: string, { db, modelServerUrl }: { db: Database; modelServerUrl: string }) {
  const { endpoints, deployments } = services.deployments;
  const [existing] = await endpoints.byIds([DEMO_ENDPOINT_ID]);
  if (existing) {
    // The demo model server listens on a new port at each start: the demo deployment follows it.
    await db.deployment.updateMany({ where: { endpointId: DEMO_ENDPOINT_ID, status: 'ACTIVE', modelServerUrl: { startsWith: 'http://127.0.0.1:' } }, data: { modelServerUrl } });
    return;
  }
  const endpoint = await endpoints.create({ name: 'eta-predictor-prod', owner: 'ml-platform', description: 'Demo: ETA predictions for the rider app' }, { actor });
  await deployments.deploy(
    {
      endpointId: endpoint.id,
      modelVersionId: 'modelVersion:builtin:eta_predictor/1',
      strategy: 'RECREATE',
      modelServerUrl,
      featureView: 'driver_stats',
      entityKeyField: 'driver_id',
    },
    { actor },
  );
  log.info('demo endpoint seeded: eta-predictor-prod serving eta_predictor v1');
}

const DEMO_ENDPOINT_ID = 'endpoint:builtin:eta-predictor-prod';
