import type pg from 'pg';
import type { Database } from '../adapters/builtin/database.ts';
import type { JobQueue } from '../adapters/builtin/jobs.ts';
import type { OnlineStore } from '../adapters/core/online-store.ts';
import { DeploymentRepository } from './deployments/repository.ts';
import { BuiltinFeatureStoreProvider } from '../adapters/builtin/feature-store.ts';
import { createFeatureServices } from './features/services.ts';
import { ProviderRepository } from './lineage/provider/repository.ts';
import { ModelVersionService } from './models/model-version/service.ts';

/** Everything the subgraphs' resolvers call, built once per process from the database and online store. */
export function createServices(deps: {
  db: Database;
  /** The pool under `db` (bulk feature-store SQL); never a second pool. */
  pool: pg.Pool;
  onlineStore: OnlineStore;
  jobs: JobQueue;
  /** Data directory (dataset exports); defaults to `.cairn`. */
  dataDir?: string;
  /** Injected clock for TTL and staleness; defaults to the wall clock. */
  clock?: () => Date;
  /** Concurrent INSERTs of one large ingest: 1 on PGlite (one connection). */
  offlineWriteConcurrency?: number;
}) {
  const store = new BuiltinFeatureStoreProvider(deps.db, deps.pool, deps.onlineStore, { writeConcurrency: deps.offlineWriteConcurrency ?? 1 });
  return {
    features: createFeatureServices({ db: deps.db, jobs: deps.jobs, store, dataDir: deps.dataDir ?? '.cairn', clock: deps.clock ?? (() => new Date()) }),
    models: new ModelVersionService(deps.db),
    deployments: new DeploymentRepository(deps.db),
    providers: new ProviderRepository(deps.db),
  };
}

export type Services = ReturnType<typeof createServices>;
