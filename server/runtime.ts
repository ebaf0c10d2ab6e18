import type { ModelRegistryProvider } from '../adapters/core/model-registry.ts';
import { connectDatabase, startDatabase, type Database } from '../platform/database.ts';
import { startJobQueue, type JobQueue } from '../platform/jobs.ts';
import { MemoryOnlineStore } from '../adapters/builtin/online-store/memory.ts';
import { RedisOnlineStore } from '../adapters/builtin/online-store/redis.ts';
import { InferenceRouter } from '../serving/router.ts';
import { DeploymentStatsRecorder } from '../serving/stats.ts';
import { ensureBuiltinProvider } from '../adapters/builtin/provider.ts';
import type { DeploymentProvider, DeploymentStatsSource } from '../adapters/core/deployment.ts';
import type { OnlineStore } from '../adapters/core/online-store.ts';
import { log } from '../platform/log.ts';
import { checkReadiness, subgraphAnswers } from '../gateway/health.ts';
import { startGateway, startSubgraph, type RunningServer } from '../gateway/server.ts';
import { readSupergraph } from '../gateway/supergraph.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { startDemo } from '../emulators/demo.ts';
import { applyPolicyFile, readPolicyFile } from '../subgraphs/models/policy/file.ts';
import { WEBHOOK_JOB } from '../subgraphs/models/webhook/service.ts';
import { buildSubgraph, SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/index.ts';
import { createServices, type Services } from '../subgraphs/services.ts';
import { MATERIALIZE_JOB } from '../subgraphs/features/materialization/service.ts';
import { SYNC_JOB } from '../sync/engine.ts';
import { DEPLOYMENTS_JOB, runDeploymentsJob, type DeploymentsJob } from '../subgraphs/deployments/jobs.ts';
import { InputError } from '../platform/errors.ts';
import { ConfigError, type CairnConfig } from './config.ts';
import { openCloudProviders } from './clouds.ts';
import type { ProviderDeps } from '../adapters/providers.ts';
import { OwnListener } from '../subgraphs/deployments/own-listener.ts';
import { COMMIT_GRACE_MS } from '../platform/owner-calls.ts';

export interface Cairn extends RunningServer {
  services: Services;
  db: Database;
  onlineStore: OnlineStore;
  jobs: JobQueue;
  /** The built-in inference router (null when serving one subgraph alone). */
  router: InferenceRouter | null;
  /** The connection string of the database in use (the embedded server's when DATABASE_URL is unset). */
  databaseUrl: string;
}

async function openOnlineStore(config: CairnConfig): Promise<OnlineStore> {
  if (!config.redisUrl) {
    log.info('online store: in-process (set REDIS_URL to use Redis)');
    return new MemoryOnlineStore();
  }
  const store = await RedisOnlineStore.connect(config.redisUrl, { prefix: config.redisPrefix });
  log.info('online store: Redis from REDIS_URL');
  return store;
}

/**
 * Starts a Cairn process: the database (PostgreSQL or embedded PGlite) with pending migrations
 * applied, the online store (Redis or in-process), then either the gateway with every subgraph not
 * served elsewhere in process, or (`only`) one subgraph alone.
 */
export interface StartOptions {
  only?: SubgraphName;
  clock?: () => Date;
  /** Per-deployment figures canary analysis reads on built-in endpoints (the inference router's recorder). */
  deploymentStats?: DeploymentStatsSource;
  /** Told after a committed split change of a built-in endpoint (the router's cache invalidation). */
  onSplitChanged?: (endpointName: string) => void;
  /** Model registries standing in for the one their provider instance (by `providerName`) declares. */
  registries?: ModelRegistryProvider[];
  /** Serving backends standing in for the one their provider instance (by `providerName`) declares. */
  deploymentProviders?: DeploymentProvider[];
  /** SDK seams for cloud providers (tests: fast backoff, the emulator's credentials). */
  providerDeps?: ProviderDeps;
}

/** Settles PENDING promotions and traffic changes whose owner call is over; an owner that cannot be reached is left for the next sync. */
async function reconcilePromotions(services: Services): Promise<void> {
  try {
    const settled = await services.models.promotions.reconcilePending();
    if (settled) log.info({ settled }, 'reconciled promotions left pending');
  } catch (error) {
    log.warn({ err: error }, 'could not reconcile pending promotions');
  }
  try {
    const settled = await services.deployments.traffic.reconcilePending();
    if (settled) log.info({ settled }, 'reconciled traffic changes left pending');
  } catch (error) {
    log.warn({ err: error }, 'could not reconcile pending traffic changes');
  }
}

export async function startCairn(config: CairnConfig, options: StartOptions = {}): Promise<Cairn> {
  if (options.only && !config.databaseUrl) {
    throw new Error('serving one subgraph alone needs DATABASE_URL: the embedded database belongs to a single process');
  }
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse())
      await closer().catch((error) => log.warn({ err: error }, 'error while closing'));
  };
  // A policy file that does not read or check is a configuration problem, listed like the others
  // (exit 2), before anything starts.
  const policyFile = config.policyFile
    ? await readPolicyFile(config.policyFile).catch((error: unknown) => {
        if (!(error instanceof InputError)) throw error;
        throw new ConfigError(
          error.problems.map(
            (p) =>
              `CAIRN_POLICY_FILE (${config.policyFile}): ${p.path && p.path !== config.policyFile ? `${p.path}: ` : ''}${p.message}`,
          ),
        );
      })
    : null;
  try {
    const database = await startDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    closers.push(database.close);
    const { applied } = await applyMigrations(database.url, { log: (message) => log.info(message) });
    if (applied.length) log.info({ applied }, `applied ${applied.length} migration(s)`);
    const clients = connectDatabase(database, { statementTimeoutMs: config.statementTimeoutMs });
    closers.push(clients.close);
    const { db } = clients;
    await ensureBuiltinProvider(db);
    const onlineStore = await openOnlineStore(config);
    closers.push(() => onlineStore.close());
    const jobs = await startJobQueue(clients.pool, { pollingIntervalSeconds: config.jobPollSeconds });
    closers.push(() => jobs.close());
    // The demo (CAIRN_DEMO on): its model server and, without cairn.config.yaml, the SageMaker emulator.
    const demo =
      config.demo && !options.only ? await startDemo({ cloud: !config.configFile, deps: options.providerDeps }) : null;
    if (demo) closers.push(demo.close);
    // Cloud providers of cairn.config.yaml, or the demo's emulator.
    const clouds = await openCloudProviders(db, config, { extra: demo?.cloudProviders, deps: options.providerDeps });
    closers.push(clouds.close);
    // One recorder of routed calls: the inference router writes it, canary analysis reads it.
    const recorder = new DeploymentStatsRecorder({ now: options.clock ? () => options.clock!().getTime() : Date.now });
    let router: InferenceRouter | null = null;
    // Learns its address once the server listens below (PORT=0 picks the port only then).
    const ownListener = new OwnListener();
    const services = createServices(
      { db, pool: clients.pool, onlineStore, jobs },
      {
        clouds: clouds.instances,
        webhooks: config.webhooks,
        dataDir: config.dataDir,
        clock: options.clock,
        offlineWriteConcurrency: database.poolSize > 1 ? 4 : 1,
        deploymentStats: options.deploymentStats ?? recorder,
        onSplitChanged: (endpointName) => {
          router?.invalidate(endpointName);
          options.onSplitChanged?.(endpointName);
        },
        deploymentProviders: options.deploymentProviders,
        registries: options.registries,
        ownerCallTimeoutMs: config.ownerTimeoutMs,
        rolloutPollSeconds: config.rolloutPollSeconds,
        ownListener,
      },
    );
    if (config.policyFile)
      await applyPolicyFile(config.policyFile, policyFile!, services.models.policies, config.actor);
    // Runs a stopped process left RUNNING are failed before this one's workers start.
    await services.sync.recoverAbandoned();
    // Promotions and traffic changes a process that died left PENDING between the owner call and the commit are
    // settled against the owner: now those past their deadline, the rest once theirs passed (a
    // process still running one commits it before then).
    await reconcilePromotions(services);
    const deadlines = [
      await services.models.promotions.latestPendingDeadline().catch(() => null),
      await services.deployments.traffic.latestPendingDeadline().catch(() => null),
    ].filter((d): d is Date => d !== null);
    const latest = deadlines.length ? new Date(Math.max(...deadlines.map((d) => d.getTime()))) : null;
    if (latest) {
      const timer = setTimeout(
        () => void reconcilePromotions(services),
        Math.max(0, latest.getTime() - Date.now()) + 100,
      );
      timer.unref();
      closers.push(async () => clearTimeout(timer));
    }
    // Background work: any Cairn process on the database takes its share of the queued jobs.
    await jobs.work<{ runId: string }>(
      MATERIALIZE_JOB,
      (job) => services.features.materialization.execute(job.data.runId),
      { pollingIntervalSeconds: 0.5 },
    );
    await jobs.work<{ deliveryId: string }>(WEBHOOK_JOB, (job) =>
      services.models.webhooks.deliver(job.data.deliveryId),
    );
    await jobs.work<DeploymentsJob>(DEPLOYMENTS_JOB, (job) => runDeploymentsJob(services.deployments, job.data));
    const synced = clouds.instances.filter(({ instance }) => instance.catalog);
    // Syncs of different providers run side by side (on PGlite's single connection, one at a time);
    // one provider's syncs are serialized by its lease.
    // A process with no cloud provider has nothing to sync and does not poll for it.
    if (synced.length) {
      await jobs.work<{ runId: string }>(SYNC_JOB, (job) => services.sync.execute(job.data.runId), {
        pollingIntervalSeconds: 0.5,
        concurrency: database.poolSize > 1 ? 4 : 1,
      });
    }
    if (!options.only) {
      for (const { instance } of synced) await services.sync.enqueue(instance.name, 'START');
    }
    if (demo) await demo.seed(services, config.actor, db);

    const readinessChecks: Record<string, () => Promise<unknown>> = {
      database: () => db.$queryRaw`SELECT 1`,
      onlineStore: () => onlineStore.ping(),
    };
    if (!options.only) {
      for (const [name, url] of Object.entries(config.subgraphUrls))
        readinessChecks[`subgraph ${name}`] = subgraphAnswers(url, config.readinessTimeoutMs);
    }
    const readiness = () => checkReadiness(readinessChecks, config.readinessTimeoutMs);
    const parts = { database: database.kind, onlineStore: onlineStore.kind };
    const identity = { auth: config.auth, actor: config.actor, roles: config.actorRoles };
    const base = {
      port: config.port,
      host: config.host,
      services,
      identity,
      parts,
      readiness,
      allowedHosts: config.allowedHosts,
      introspection: config.introspection,
    };

    let server: RunningServer;
    if (options.only) {
      server = await startSubgraph({ ...base, schema: await buildSubgraph(options.only) });
      log.info({ url: `${server.url}/graphql` }, `subgraph ${options.only} listening`);
    } else {
      const subgraphs: Record<string, { schema: Awaited<ReturnType<typeof buildSubgraph>> } | { url: string }> = {};
      for (const name of SUBGRAPH_NAMES) {
        const url = config.subgraphUrls[name];
        subgraphs[name] = url ? { url } : { schema: await buildSubgraph(name) };
      }
      router = new InferenceRouter({
        db,
        features: services.providerInstances,
        ...config.router,
        clock: options.clock,
        stats: recorder,
      });
      const inference = router;
      services.features.featureViews.onApply(() => inference.invalidateFeatureViews());
      closers.push(() => inference.close());
      server = await startGateway({
        ...base,
        supergraphSdl: await readSupergraph(),
        subgraphs,
        subgraphTimeoutMs: config.subgraphTimeoutMs,
        // A mutation may wait on its owner (a cloud's API) for CAIRN_OWNER_TIMEOUT_MS, then commit or record FAILED.
        mutationTimeoutMs: config.ownerTimeoutMs + COMMIT_GRACE_MS,
        queryLimits: config.queryLimits,
        router,
      });
      const remote = Object.keys(config.subgraphUrls);
      log.info(
        { url: server.url, remoteSubgraphs: remote },
        `Cairn gateway listening on ${server.url} (GraphQL at ${server.url}/graphql)`,
      );
    }
    ownListener.listening({ host: config.host, port: server.port });
    closers.push(server.close);
    return { ...server, close, services, db, onlineStore, jobs, router, databaseUrl: database.url };
  } catch (error) {
    await close();
    throw error;
  }
}
