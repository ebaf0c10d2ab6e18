import type { CloudProviderConfig } from '../adapters/core/provider-config.ts';
import type { ProviderDeps } from '../adapters/providers.ts';
import type { Database } from '../platform/database.ts';
import { log } from '../platform/log.ts';
import type { Services } from '../subgraphs/services.ts';
import { startModelServer } from './model-server.ts';
import { EMULATOR_CREDENTIALS, startSageMakerEmulator } from './sagemaker/index.ts';

export const DEMO_PROVIDER = 'sagemaker-demo';

/** The demo `npm start` runs, started in one place: its cloud, its model server and its estate. */
export interface Demo {
  /** The SageMaker emulator's provider (with its demo estate), when the demo includes a cloud. */
  cloudProviders: { config: CloudProviderConfig; deps: ProviderDeps }[];
  /** Seeds the built-in estate, served by the demo model server. */
  seed(services: Services, actor: string, db: Database): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the demo's servers on loopback ports: the demo model server (a fixed score for
 * eta-predictor-prod) and, with `cloud` (no cairn.config.yaml given), the SageMaker emulator with
 * its demo estate as provider `sagemaker-demo`, which uses the emulator's static fake keys
 * (injected for the emulator only; a configured provider always uses the default chain).
 */
export async function startDemo(options: { cloud: boolean; deps?: ProviderDeps }): Promise<Demo> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse())
      await closer().catch((error) => log.warn({ err: error }, 'error while closing the demo'));
  };
  try {
    const cloudProviders: Demo['cloudProviders'] = [];
    if (options.cloud) {
      const emulator = await startSageMakerEmulator();
      closers.push(() => emulator.close());
      log.info({ url: emulator.url }, `SageMaker emulator with the demo estate listening (provider ${DEMO_PROVIDER})`);
      cloudProviders.push({
        config: {
          name: DEMO_PROVIDER,
          kind: 'SAGEMAKER',
          region: emulator.state.region,
          accountId: emulator.state.accountId,
          endpoint: emulator.url,
          credentials: 'default-chain',
          syncIntervalSeconds: 300,
          maxAttempts: 3,
          retryMode: 'standard',
        },
        deps: { ...options.deps, sagemaker: { ...options.deps?.sagemaker, credentials: EMULATOR_CREDENTIALS } },
      });
    }
    const modelServer = await startModelServer({ name: 'eta_predictor', score: 12.5 });
    closers.push(() => modelServer.close());
    return {
      cloudProviders,
      seed: (services, actor, db) => seedDemo(services, actor, { db, modelServerUrl: modelServer.url }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The small built-in demo estate `npm start` shows (CAIRN_DEMO=off skips it): a feature view, a
 * model version that uses two of its features, and a built-in endpoint serving it. Safe to run at
 * every start: applying the same definition keeps its version, and the model and the endpoint are
 * made only once.
 */
async function seedDemo(
  services: Services,
  actor: string,
  demo: { db: Database; modelServerUrl: string },
): Promise<void> {
  const view = await services.features.featureViews.apply(
    {
      name: 'driver_stats',
      entity: 'driver',
      joinKey: 'driver_id',
      ttlSeconds: 86_400,
      owner: 'ml-platform',
      description: "Hourly aggregates of each driver's trips",
      tags: ['demo'],
      features: [
        { name: 'trips_today', dtype: 'INT64', description: 'Trips completed since midnight' },
        { name: 'avg_rating', dtype: 'FLOAT64', description: 'Rolling 30-day rating' },
        { name: 'acceptance_rate', dtype: 'FLOAT64', description: 'Share of offers accepted' },
      ],
    },
    actor,
  );
  if (!(await services.models.versions.modelByName('eta_predictor')))
    await registerEtaPredictor(services, actor, view.id);
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
async function deployEtaPredictor(
  services: Services,
  actor: string,
  { db, modelServerUrl }: { db: Database; modelServerUrl: string },
) {
  const { endpoints, deployments } = services.deployments;
  const [existing] = await endpoints.byIds([DEMO_ENDPOINT_ID]);
  if (existing) {
    // The demo model server listens on a new port at each start: the demo deployment follows it.
    await db.deployment.updateMany({
      where: { endpointId: DEMO_ENDPOINT_ID, status: 'ACTIVE', modelServerUrl: { startsWith: 'http://127.0.0.1:' } },
      data: { modelServerUrl },
    });
    return;
  }
  const endpoint = await endpoints.create(
    { name: 'eta-predictor-prod', owner: 'ml-platform', description: 'Demo: ETA predictions for the rider app' },
    { actor },
  );
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
