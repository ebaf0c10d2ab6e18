import type { Database } from '../../platform/database.ts';
import type { JobQueue } from '../../platform/jobs.ts';
import type { DeploymentProvider } from '../../adapters/core/deployment.ts';
import { DeployRuleService } from './deploy-rule/service.ts';
import { DeploymentRepository } from './deployment/repository.ts';
import { DeploymentService } from './deployment/service.ts';
import { EndpointRepository } from './endpoint/repository.ts';
import { EndpointService } from './endpoint/service.ts';
import { OwnListener } from './own-listener.ts';
import { DeploymentProviders } from './providers.ts';
import { RolloutRepository } from './rollout/repository.ts';
import { RolloutService } from './rollout/service.ts';
import { TrafficRepository } from './traffic/repository.ts';
import { TrafficService } from './traffic/service.ts';

export interface DeploymentServicesDeps {
  db: Database;
  jobs: JobQueue;
  /** The serving backend of each provider instance that owns endpoints. */
  providers: DeploymentProvider[];
  clock: () => Date;
  /** Seconds between looks at a rollout in progress (besides each step's end). */
  rolloutPollSeconds: number;
  /** This process's listener, refused as a model server (the runtime tells it once listening). */
  ownListener?: OwnListener;
  /** Bound on one call to an endpoint's owner (CAIRN_OWNER_TIMEOUT_MS). */
  ownerCallTimeoutMs?: number;
}

/** The deployments subgraph's services, wired once per process. */
export function createDeploymentServices(deps: DeploymentServicesDeps) {
  const providers = new DeploymentProviders(deps.providers);
  const trafficRepository = new TrafficRepository(deps.db);
  const rolloutRepository = new RolloutRepository(deps.db);
  const traffic = new TrafficService(deps.db, trafficRepository, rolloutRepository, providers, deps.clock, {
    timeoutMs: deps.ownerCallTimeoutMs,
  });
  const rollouts = new RolloutService(
    deps.db,
    rolloutRepository,
    trafficRepository,
    traffic,
    providers,
    deps.jobs,
    deps.clock,
    { pollSeconds: deps.rolloutPollSeconds },
  );
  const ownListener = deps.ownListener ?? new OwnListener();
  const deployments = new DeploymentService(
    deps.db,
    new DeploymentRepository(deps.db),
    traffic,
    rollouts,
    rolloutRepository,
    providers,
    deps.clock,
    ownListener,
  );
  return {
    providers,
    endpoints: new EndpointService(deps.db, new EndpointRepository(deps.db), providers),
    deployments,
    traffic,
    rollouts,
    rules: new DeployRuleService(deps.db, deps.jobs, deployments, ownListener),
  };
}

export type DeploymentServices = ReturnType<typeof createDeploymentServices>;
