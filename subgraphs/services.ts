import type pg from 'pg';
import type { Database } from '../adapters/builtin/database.ts';
import { BuiltinFeatureStoreProvider } from '../adapters/builtin/feature-store.ts';
import type { JobQueue } from '../adapters/builtin/jobs.ts';
import { BuiltinModelRegistryProvider } from '../adapters/builtin/model-registry.ts';
import type { DeploymentProvider } from '../adapters/core/deployment.ts';
import type { ModelRegistryProvider } from '../adapters/core/model-registry.ts';
import type { ProviderInstance } from '../adapters/core/provider-instance.ts';
import type { OnlineStore } from '../adapters/core/online-store.ts';
import { DeploymentRepository } from './deployments/repository.ts';
import { createFeatureServices } from './features/services.ts';
import { ProviderRepository } from './lineage/provider/repository.ts';
import { createLineageServices } from './lineage/services.ts';
import { SyncService } from './lineage/sync/service.ts';
import { ApprovalService } from './models/approval/service.ts';
import { AuditService } from './models/audit/service.ts';
import { ModelVersionService } from './models/model-version/service.ts';
import { PolicyService } from './models/policy/service.ts';
import { PromotionService } from './models/promotion/service.ts';
import { WebhookService, type WebhookOptions } from './models/webhook/service.ts';

export interface ServiceDeps {
  db: Database;
  /** The pool under `db` (bulk feature-store SQL); never a second pool. */
  pool: pg.Pool;
  onlineStore: OnlineStore;
  jobs: JobQueue;
}

export interface ServiceOptions {
  webhooks: WebhookOptions;
  /** The registry of each provider instance that owns model versions (default: the built-in one). */
  registries?: ModelRegistryProvider[];
  /** Data directory (dataset exports); defaults to `.cairn`. */
  dataDir?: string;
  /** Injected clock for TTL, staleness, policies' `now` and webhook signatures; defaults to the wall clock. */
  clock?: () => Date;
  /** Cloud provider instances (cairn.config.yaml): synced into the catalog, owners of their versions and endpoints. */
  clouds?: { instance: ProviderInstance; syncIntervalSeconds: number }[];
  /** Concurrent INSERTs of one large ingest: 1 on PGlite (one connection). */
  offlineWriteConcurrency?: number;
}

/** Everything the subgraphs' resolvers call, built once per process from the database, online store and job queue. */
export function createServices(deps: ServiceDeps, options: ServiceOptions) {
  const clock = options.clock ?? (() => new Date());
  const store = new BuiltinFeatureStoreProvider(deps.db, deps.pool, deps.onlineStore, { writeConcurrency: options.offlineWriteConcurrency ?? 1 });
  const clouds = options.clouds ?? [];
  const registries = new Map(
    [...(options.registries ?? [new BuiltinModelRegistryProvider()]), ...clouds.flatMap((c) => (c.instance.registry ? [c.instance.registry] : []))].map((r) => [r.providerName, r]),
  );
  const deploymentProviders = new Map<string, DeploymentProvider>(clouds.flatMap((c) => (c.instance.deployments ? [[c.instance.name, c.instance.deployments] as const] : [])));
  const registryFor = (name: string) => registries.get(name);
  const webhooks = new WebhookService(deps.db, deps.jobs, { ...options.webhooks, clock });
  const policies = new PolicyService(deps.db);
  return {
    features: createFeatureServices({ db: deps.db, jobs: deps.jobs, store, dataDir: options.dataDir ?? '.cairn', clock }),
    models: {
      versions: new ModelVersionService(deps.db, registryFor, webhooks),
      policies,
      approvals: new ApprovalService(deps.db),
      promotions: new PromotionService(
        deps.db,
        (name) => {
          const registry = registryFor(name);
          if (!registry) throw new Error(`no model registry for provider ${name}`);
          return registry;
        },
        webhooks,
        clock,
      ),
      webhooks,
      audit: new AuditService(deps.db),
    },
    deployments: new DeploymentRepository(deps.db),
    providers: new ProviderRepository(deps.db),
    lineage: createLineageServices({ pool: deps.pool, clock }),
    sync: new SyncService(
      deps.db,
      deps.jobs,
      new Map(clouds.flatMap((c) => (c.instance.catalog ? [[c.instance.name, c.instance.catalog] as const] : []))),
      { clock, intervals: new Map(clouds.map((c) => [c.instance.name, c.syncIntervalSeconds])) },
    ),
    /** The cloud endpoint owners by provider name (the built-in router is wired by the deployments service). */
    deploymentProviderFor: (name: string) => deploymentProviders.get(name),
  };
}

export type Services = ReturnType<typeof createServices>;
