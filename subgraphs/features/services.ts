import type { Database } from '../../platform/database.ts';
import type { JobQueue } from '../../platform/jobs.ts';
import type { FeatureStoreProvider, TrainingSetProvider } from '../../adapters/core/feature-store.ts';
import type { CapabilityLookup } from '../../adapters/providers.ts';
import { DatasetService } from './dataset/service.ts';
import { FeatureService } from './feature/service.ts';
import { FeatureViewService } from './feature-view/service.ts';
import { FeatureIncidentService } from './incident/service.ts';
import { IngestService } from './ingest/service.ts';
import { MaterializationService } from './materialization/service.ts';
import { OnlineFeatureService } from './online/service.ts';

export interface FeatureServicesDeps {
  db: Database;
  jobs: JobQueue;
  /** The provider instances: ingest, materialization and online reads go to the `features` capability of each view's owner. */
  owners: CapabilityLookup;
  /**
   * Training sets are joined from the built-in offline store's history: this store, named by its
   * provider, is the `features` capability a view's owner must declare for a training set of it.
   */
  trainingSets: TrainingSetProvider & Pick<FeatureStoreProvider, 'provider'>;
  /** Where dataset exports are written (`<dir>/exports`). */
  dataDir: string;
  /** Now, for TTL/staleness and default materialization end times; tests pin it. */
  clock: () => Date;
}

/** The features subgraph's services, wired once per process. */
export function createFeatureServices(deps: FeatureServicesDeps) {
  const featureViews = new FeatureViewService(deps.db);
  const features = new FeatureService(deps.db);
  return {
    featureViews,
    features,
    online: new OnlineFeatureService(deps.owners, featureViews, features, deps.clock),
    ingest: new IngestService(deps.db, deps.owners, featureViews, features, deps.clock),
    materialization: new MaterializationService(deps.db, deps.jobs, deps.owners, featureViews, features, deps.clock),
    datasets: new DatasetService(deps.db, deps.owners, deps.trainingSets, featureViews, features, deps.dataDir),
    incidents: new FeatureIncidentService(deps.db),
  };
}

export type FeatureServices = ReturnType<typeof createFeatureServices>;
