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
  /** Registries standing in for the one their provider instance declares, by `providerName` (tests). */
  registries?: ModelRegistryProvider[];
  /** Data directory (dataset exports); defaults to `.cairn`. */
  dataDir?: string;
  /** Injected clock for TTL, staleness, policies' `now` and webhook signatures; defaults to the wall clock. */
  clock?: () => Date;
  /** Cloud provider instances (cairn.config.yaml): synced into the catalog, owners of their versions and endpoints. */
  clouds?: { instance: ProviderInstance; syncIntervalSeconds: number }[];
  /** Concurrent INSERTs of one large ingest: 1 on PGlite (one connection). */
  offlineWriteConcurrency?: number;
  /** Serving backends standing in for the one their provider instance declares, by `providerName` (tests). */
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
  // Test seams: a registry or serving backend given in the options stands in for the capability of
  // the instance of its name, before the one lookup is built.
  const providerInstances = new ProviderRegistry(
    withOverrides([builtin, ...clouds.map((c) => c.instance)], {
      registry: options.registries,
      deployments: options.deploymentProviders,
    }),
  );
  const webhooks = new WebhookService(deps.db, deps.jobs, { ...options.webhooks, clock });
  const policies = new PolicyService(deps.db);
  const deployments = createDeploymentServices({
    db: deps.db,
    jobs: deps.jobs,
    providers: providerInstances.all('deployments'),
    clock,
    rolloutPollSeconds: options.rolloutPollSeconds ?? 15,
    ownListener: options.ownListener,
    ownerCallTimeoutMs: options.ownerCallTimeoutMs,
  });
  const promotions = new PromotionService(
    deps.db,
    (name) => providerInstances.capability(name, 'registry', 'promoteModelVersion'),
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
      versions: new ModelVersionService(deps.db, providerInstances, webhooks, {
        timeoutMs: options.ownerCallTimeoutMs,
      }),
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
      // Every provider that declares a catalog source (the built-in one is the catalog and declares none).
      new Map(providerInstances.list().flatMap((i) => (i.catalog ? [[i.name, i.catalog] as const] : []))),
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
    /**
     * Every provider instance of this process by name, with the capabilities each declares: the one
     * lookup of a model registry, an endpoints' owner or a feature store.
     */
    providerInstances,
  };
}

/**
 * The instances with each given capability put in place of the one declared by the instance of
 * its `providerName` (a test's slow registry or flaky serving backend). An override naming no
 * instance of this process is a mistake in the caller's wiring, refused at start.
 */
function withOverrides(
  instances: ProviderInstance[],
  overrides: { registry?: ModelRegistryProvider[]; deployments?: DeploymentProvider[] },
): ProviderInstance[] {
  const replaced = new Map<string, ProviderInstance>(instances.map((instance) => [instance.name, instance]));
  const put = <C extends 'registry' | 'deployments'>(capability: C, given: NonNullable<ProviderInstance[C]>[] = []) => {
    for (const part of given) {
      const instance = replaced.get(part.providerName);
      if (!instance) throw new Error(`no provider instance named ${part.providerName} to take the given ${capability}`);
      // A delegate keeps the instance's other capabilities and its close().
      replaced.set(part.providerName, {
        name: instance.name,
        kind: instance.kind,
        catalog: instance.catalog,
        registry: instance.registry,
        deployments: instance.deployments,
        features: instance.features,
        close: () => instance.close(),
        [capability]: part,
      });
    }
  };
  put('registry', overrides.registry);
  put('deployments', overrides.deployments);
  return [...replaced.values()];
}

export type Services = ReturnType<typeof createServices>;
