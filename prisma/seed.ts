import { log } from '../adapters/core/log.ts';
import type { Services } from '../subgraphs/services.ts';

/**
 * The small built-in demo estate `npm start` shows (CAIRN_DEMO=off skips it): a feature view and a
 * model version that uses two of its features. Safe to run at every start: applying the same
 * definition keeps its version, and the model is registered only once.
 */
export async function seedDemo(services: Services, actor: string): Promise<void> {
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
  if (await services.models.versions.modelByName('eta_predictor')) return;
  const features = await services.features.features.byViewIds([view.id]);
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
