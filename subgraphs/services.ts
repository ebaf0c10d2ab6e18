import type { Database } from '../adapters/builtin/database.ts';
import type { JobQueue } from '../adapters/builtin/jobs.ts';
import type { OnlineStore } from '../adapters/core/online-store.ts';
import { DeploymentRepository } from './deployments/repository.ts';
import { FeatureService } from './features/feature/service.ts';
import { FeatureViewService } from './features/feature-view/service.ts';
import { OnlineFeatureService } from './features/online/service.ts';
import { ProviderRepository } from './lineage/provider/repository.ts';
import { ModelVersionService } from './models/model-version/service.ts';

/** Everything the subgraphs' resolvers call, built once per process from the database and online store. */
export function createServices(deps: { db: Database; onlineStore: OnlineStore; jobs: JobQueue }) {
  const featureViews = new FeatureViewService(deps.db);
  const features = new FeatureService(deps.db);
  return {
    features: { featureViews, features, online: new OnlineFeatureService(deps.onlineStore, featureViews, features) },
    models: new ModelVersionService(deps.db),
    deployments: new DeploymentRepository(deps.db),
    providers: new ProviderRepository(deps.db),
  };
}

export type Services = ReturnType<typeof createServices>;
