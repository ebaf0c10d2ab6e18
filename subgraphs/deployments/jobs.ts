/**
 * The deployments subgraph's durable background work, on one pg-boss queue: rollout checks and
 * promotion deploy rules. One queue means one polling loop (and at most one more pooled
 * connection) per Cairn process, which matters where many processes share a small database.
 *
 * This module is a leaf: the services that send these jobs import it, so it imports none of them
 * (the runner takes whatever has a `runJob` for each kind).
 */
export const DEPLOYMENTS_JOB = 'deployments';

/** A model version just promoted to PRODUCTION, as a deploy rule's job carries it. */
export interface PromotedVersion {
  promotionId: string;
  modelVersionId: string;
  modelName: string;
  modelProvider: string;
  actor: string;
}

export type RolloutCheckJob = { kind: 'rollout-check'; rolloutId: string; checkAt: string };
export type DeployRuleJob = { kind: 'deploy-rule'; endpointId: string } & PromotedVersion;
export type DeploymentsJob = RolloutCheckJob | DeployRuleJob;

/** What runs each kind of job: the rollout and deploy-rule services. */
export interface DeploymentsJobRunners {
  rollouts: { runJob(job: RolloutCheckJob): Promise<void> };
  rules: { runJob(job: DeployRuleJob): Promise<void> };
}

/** Runs one job; a throw makes the queue retry it with backoff. */
export function runDeploymentsJob(services: DeploymentsJobRunners, job: DeploymentsJob): Promise<void> {
  switch (job.kind) {
    case 'rollout-check':
      return services.rollouts.runJob(job);
    case 'deploy-rule':
      return services.rules.runJob(job);
  }
}
