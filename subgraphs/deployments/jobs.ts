import type { PromotedVersion } from './deploy-rule/service.ts';
import type { DeploymentServices } from './services.ts';

/**
 * The deployments subgraph's durable background work, on one pg-boss queue: rollout checks and
 * promotion deploy rules. One queue means one polling loop (and at most one more pooled
 * connection) per Cairn process, which matters where many processes share a small database.
 */
export const DEPLOYMENTS_JOB = 'deployments';

export type DeploymentsJob =
  | { kind: 'rollout-check'; rolloutId: string; checkAt: string }
  | ({ kind: 'deploy-rule'; endpointId: string } & PromotedVersion);

/** Runs one job; a throw makes the queue retry it with backoff. */
export function runDeploymentsJob(services: DeploymentServices, job: DeploymentsJob): Promise<void> {
  switch (job.kind) {
    case 'rollout-check':
      return services.rollouts.runJob(job);
    case 'deploy-rule':
      return services.rules.runJob(job);
  }
}
