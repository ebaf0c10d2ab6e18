import type pg from 'pg';
import type { Database } from '../platform/database.ts';
import type { JobQueue } from '../platform/jobs.ts';
import type { ModelRegistryProvider } from '../adapters/core/model-registry.ts';
import type { ProviderInstance } from '../adapters/core/provider-instance.ts';
import type { OnlineStore } from '../adapters/core/online-store.ts';
import { BUILTIN_PROVIDER } from '../adapters/builtin/provider.ts';
import { createProvider, ProviderRegistry } from '../adapters/providers.ts';
import type { DeploymentProvider, DeploymentStatsSource } from '../adapters/core/deployment.ts';
import { createDeploymentServices } from './deployments/services.ts';
import { createFeatureServices } from './features/services.ts';
import { ProviderRepository } from './lineage/provider/repository.ts';
import { createLineageServices } from './lineage/services.ts';
import { SyncService } from '../sync/engine.ts';
import { ApprovalService } from './models/approval/service.ts';
import { AuditService } from './models/audit/service.ts';
import { ModelVersionService } from './models/model-version/service.ts';
import { PolicyService } from './models/policy/service.ts';
import { PromotionService } from './models/promotion/service.ts';
import { WebhookService, type WebhookOptions } from './models/webhook/service.ts';
import type { OwnListener } from './deployments/own-listener.ts';

export interface ServiceDeps {
  db: Database;
  /** The pool under `db` (bulk feature-store SQL); never a second pool. */
  pool: pg.Pool;
  onlineStore: OnlineStore;
  jobs: JobQueue;
}

export interface ServiceOptions {
  webhooks: WebhookOptions;
  /** How long an owner (a cloud's registry) may take to accept a promotion before it FAILs (default 30 s). */
  ownerCallTimeoutMs?: number;
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
  /** The serving backend of each provider instance that owns endpoints (default: the built-in one). */
  deploymentProviders?: DeploymentProvider[];
  /**
   * Per-deployment figures the built-in backend's canary analysis reads: the inference router's
   * recorder (empty in a process that serves no router, so canaries there wait on `minRequests`).
   */
  deploymentStats: DeploymentStatsSource;
  /** Told after a committed split change of a built-in endpoint (the router's cache invalidation). */
  onSplitChanged?: (endpointName: string) => void;
  /** Seconds between looks at a rollout in progress besides each step's end (default 15). */
  rolloutPollSeconds?: number;
  /** Where this process listens once it does: refused as a deployment's model server. */
  ownListener?: OwnListener;
}

/** Everything the subgraphs' resolvers call, built once per process from the database, online store and job queue. */
export function createServices(deps: ServiceDeps, options: ServiceOptions) {
  const clock = options.clock ?? (() => new Date());
  // The built-in provider comes from the typed registry like every cloud; all of them in one lookup.
  const builtin = createProvider(
    { name: BUILTIN_PROVIDER, kind: 'BUILTIN' },
    {
      builtin: {
        ...deps,
        offlineWriteConcurrency: options.offlineWriteConcurrency,
        deploymentStats: options.deploymentStats,
        onSplitChanged: options.onSplitChanged,
      },
    },
  );
  const clouds = options.clouds ?? [];
  const providerInstances = new ProviderRegistry([builtin, ...clouds.map((c) => c.instance)]);
  const registries = new Map(
    [
      ...(options.registries ?? [builtin.registry]),
      ...clouds.flatMap((c) => (c.instance.registry ? [c.instance.registry] : [])),
    ].map((r) => [r.providerName, r]),
  );
  // The built-in router (or the given owners) plus every cloud provider that owns endpoints.
  const deploymentProviders = [
    ...(options.deploymentProviders ?? [builtin.deployments]),
    ...clouds.flatMap((c) => (c.instance.deployments ? [c.instance.deployments] : [])),
  ];
  const registryFor = (name: string) => registries.get(name);
  const webhooks = new WebhookService(deps.db, deps.jobs, { ...options.webhooks, clock });
  const policies = new PolicyService(deps.db);
  const deployments = createDeploymentServices({
    db: deps.db,
    jobs: deps.jobs,
    providers: deploymentProviders,
    clock,
    rolloutPollSeconds: options.rolloutPollSeconds ?? 15,
    ownListener: options.ownListener,
    ownerCallTimeoutMs: options.ownerCallTimeoutMs,
  });
  const promotions = new PromotionService(
    deps.db,
    (name) => {
      const registry = registryFor(name);
      if (!registry) throw new Error(`no model registry for provider ${name}`);
      return registry;
    },
    webhooks,
    clock,
    // A promotion to PRODUCTION queues the endpoints' deploy rules in its own transaction.
    (tx, promoted) => deployments.rules.enqueueForPromotion(tx, promoted),
    { timeoutMs: options.ownerCallTimeoutMs },
  );
  return {
    features: createFeatureServices({
      db: deps.db,
      jobs: deps.jobs,
      owners: providerInstances,
      trainingSets: builtin.features,
      dataDir: options.dataDir ?? '.cairn',
      clock,
    }),
    models: {
      versions: new ModelVersionService(deps.db, registryFor, webhooks),
      policies,
      approvals: new ApprovalService(deps.db),
      promotions,
      webhooks,
      audit: new AuditService(deps.db),
    },
    deployments,
    providers: new ProviderRepository(deps.db),
    lineage: createLineageServices({ pool: deps.pool, clock }),
    sync: new SyncService(
      deps.db,
      deps.jobs,
      new Map(clouds.flatMap((c) => (c.instance.catalog ? [[c.instance.name, c.instance.catalog] as const] : []))),
      {
        clock,
        intervals: new Map(clouds.map((c) => [c.instance.name, c.syncIntervalSeconds])),
        // The sync just read the owner: promotions and traffic changes a crash left PENDING there are settled against it.
        afterSync: async (providerName) => {
          await promotions.reconcilePending({ providerName });
          await deployments.traffic.reconcilePending({ providerName });
        },
      },
    ),
    /** Every provider instance of this process by name, with the capabilities each declares. */
    providerInstances,
    /** The owner of a provider's endpoints (the built-in router, a cloud's endpoints), if it has one. */
    deploymentProviderFor: (name: string) => deploymentProviders.find((p) => p.providerName === name),
  };
}

export type Services = ReturnType<typeof createServices>;
