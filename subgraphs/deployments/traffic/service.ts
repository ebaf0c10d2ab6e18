import { z } from 'zod';
import type { Database, Transaction } from '../../../platform/database.ts';
import { ConflictError, InputError, type InputProblem } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import type { Deployment as DeploymentRow, Endpoint as EndpointRow, Rollout as RolloutRow } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { globalIdProblems, parseInput } from '../../../platform/validate.ts';
import { endpointRef, recordFailedAttempt, type DeploymentProviders, type Identity } from '../providers.ts';
import type { RolloutRepository } from '../rollout/repository.ts';
import { normalize, sameSplit, scaleShares, splitOf, type Share, type Split } from './split.ts';
import type { TrafficReason, TrafficRepository } from './repository.ts';

const shareSchema = z.object({ deploymentId: z.string().min(1), percent: z.number().int().min(0).max(100) });
const setSplitSchema = z.object({
  endpointId: z.string().min(1),
  split: z.array(shareSchema).min(1, 'name at least one live share').max(100),
  shadow: z.array(shareSchema).max(100).nullish(),
});

/** Rules across fields, reported together with the field errors. */
function splitProblems(input: any): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  problems.push(...globalIdProblems(input, 'endpointId', 'endpoint'));
  const live: { deploymentId?: unknown; percent?: unknown }[] = Array.isArray(input?.split) ? input.split : [];
  const shadow: { deploymentId?: unknown; percent?: unknown }[] = Array.isArray(input?.shadow) ? input.shadow : [];
  const sum = live.reduce((acc, share) => acc + (typeof share?.percent === 'number' ? share.percent : 0), 0);
  if (live.length > 0 && sum !== 100) problems.push({ path: ['split'], message: `live shares must sum to 100, not ${sum}` });
  for (const [field, shares] of [['split', live], ['shadow', shadow]] as const) {
    const seen = new Set<unknown>();
    shares.forEach((share, index) => {
      if (seen.has(share?.deploymentId)) problems.push({ path: [field, index, 'deploymentId'], message: 'names a deployment already in this list' });
      seen.add(share?.deploymentId);
    });
  }
  const liveIds = new Set(live.filter((share) => typeof share?.percent === 'number' && share.percent > 0).map((share) => share.deploymentId));
  shadow.forEach((share, index) => {
    if (typeof share?.percent === 'number' && share.percent > 0 && liveIds.has(share.deploymentId)) {
      problems.push({ path: ['shadow', index, 'deploymentId'], message: 'takes live traffic: a deployment cannot also mirror it' });
    }
  });
  return problems;
}

/**
 * Changes of an endpoint's traffic split. Every change goes to the endpoint's owner first (the
 * built-in router's table, a cloud's traffic API); only when the owner accepted it does the catalog
 * record it, with its history entry and audit event, in one transaction that holds the endpoint's
 * row lock (two changes of one endpoint never interleave).
 */
export class TrafficService {
  constructor(
    private readonly db: Database,
    private readonly repository: TrafficRepository,
    private readonly rollouts: RolloutRepository,
    private readonly providers: DeploymentProviders,
    private readonly clock: () => Date,
  ) {}

  /**
   * Inside a transaction holding the endpoint's lock: makes the owner route by `split`, records it
   * in the catalog and the history, and moves the stable deployment to a deployment given 100%.
   * Answers false (and does nothing) when the split is already in force.
   */
  async change(
    tx: Transaction,
    endpoint: EndpointRow,
    deployments: DeploymentRow[],
    split: Split,
    cause: { reason: TrafficReason; actor: string; rolloutId?: string | null },
  ): Promise<boolean> {
    const next: Split = { live: normalize(split.live), shadow: normalize(split.shadow) };
    if (sameSplit(next, splitOf(deployments))) return false;
    const byId = new Map(deployments.map((d) => [d.id, d]));
    const native = (share: Share) => ({ ...share, nativeId: byId.get(share.deploymentId)!.nativeId });
    await this.providers.get(endpoint.providerName).applyTrafficSplit(endpointRef(endpoint), { live: next.live.map(native), shadow: next.shadow.map(native) });
    await this.repository.recordSplit(tx, endpoint.id, next);
    await this.repository.appendChange(tx, { endpointId: endpoint.id, split: next, reason: cause.reason, actor: cause.actor, rolloutId: cause.rolloutId, at: this.clock() });
    const full = next.live.find((share) => share.percent === 100);
    if (full && full.deploymentId !== endpoint.stableDeploymentId) {
      await tx.endpoint.update({ where: { id: endpoint.id }, data: { stableDeploymentId: full.deploymentId } });
      endpoint.stableDeploymentId = full.deploymentId;
    }
    for (const deployment of deployments) {
      deployment.trafficPercent = next.live.find((s) => s.deploymentId === deployment.id)?.percent ?? 0;
      deployment.shadowPercent = next.shadow.find((s) => s.deploymentId === deployment.id)?.percent ?? 0;
    }
    return true;
  }

  /**
   * The split a rollback returns to: 100% of live traffic to the stable deployment, with the shadow
   * shares of the last split in which it held 100% (less retired deployments and `without`). With
   * no stable deployment, the other live shares scaled back to 100.
   */
  async stableSplit(tx: Transaction, endpoint: EndpointRow, deployments: DeploymentRow[], without: string | null): Promise<Split> {
    const active = new Set(deployments.filter((d) => d.status === 'ACTIVE' && d.id !== without).map((d) => d.id));
    const stable = endpoint.stableDeploymentId;
    if (stable && active.has(stable)) {
      const last = await this.repository.lastSplitWithFullShare(tx, endpoint.id, stable);
      return { live: [{ deploymentId: stable, percent: 100 }], shadow: (last?.shadow ?? []).filter((share) => active.has(share.deploymentId) && share.deploymentId !== stable) };
    }
    const current = splitOf(deployments);
    const live = scaleShares(current.live.filter((share) => active.has(share.deploymentId)), 100);
    if (live.length === 0) throw new ConflictError(`endpoint ${endpoint.name} has no stable deployment to return to`);
    return { live, shadow: current.shadow.filter((share) => active.has(share.deploymentId)) };
  }

  /** setTrafficSplit: the whole split (live summing to 100; shadow replaced when given, else kept). */
  async setSplit(input: unknown, identity: Identity) {
    const spec = parseInput(setSplitSchema, input, { crossChecks: splitProblems });
    try {
      const endpoint = await this.db.$transaction(
        async (tx) => {
          const endpoint = await this.repository.lockEndpoint(tx, spec.endpointId);
          const deployments = await this.repository.deploymentsOf(tx, endpoint.id);
          const byId = new Map(deployments.map((d) => [d.id, d]));
          const problems: InputProblem[] = [];
          const check = (field: 'split' | 'shadow', shares: { deploymentId: string; percent: number }[]) =>
            shares.forEach((share, index) => {
              const deployment = byId.get(share.deploymentId);
              const path = `input.${field}.${index}.deploymentId`;
              if (!deployment) problems.push({ path, message: `${share.deploymentId} is not a deployment of endpoint ${endpoint.name}` });
              else if (deployment.status !== 'ACTIVE' && share.percent > 0) problems.push({ path, message: `${share.deploymentId} is ${deployment.status} and cannot take traffic` });
            });
          check('split', spec.split);
          if (spec.shadow) check('shadow', spec.shadow);
          if (problems.length) throw new InputError(problems);
          const current = splitOf(deployments);
          const split: Split = { live: spec.split, shadow: spec.shadow ?? current.shadow };
          const changed = await this.change(tx, endpoint, deployments, split, { reason: 'SET_SPLIT', actor: identity.actor });
          const rollout = await this.rollouts.active(tx, endpoint.id);
          const ended = rollout ? await this.settleRollout(tx, rollout, deployments, identity.actor) : null;
          await recordAudit(tx, {
            actor: identity.actor,
            action: 'setTrafficSplit',
            subjectId: endpoint.id,
            requestId: identity.requestId,
            payload: { live: normalize(split.live), shadow: normalize(split.shadow), changed, ...(ended ? { rollout: ended } : {}) } as never,
          });
          return endpoint;
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
      this.providers.committed(endpoint);
      return endpoint;
    } catch (error) {
      await recordFailedAttempt(this.db, error, { actor: identity.actor, action: 'setTrafficSplit', subjectId: spec.endpointId, requestId: identity.requestId });
      throw error;
    }
  }

  /**
   * A split set by hand settles the rollout in progress: its deployment at 100% is a success (a
   * switched blue/green, a canary or a shadow taken all the way); a blue/green not (yet) switched,
   * a canary left at its step's share and a shadow still mirrored (with no live share) go on;
   * anything else cancels it (the rollout job stops moving it).
   */
  private async settleRollout(tx: Transaction, rollout: RolloutRow, deployments: DeploymentRow[], actor: string) {
    const deployment = deployments.find((d) => d.id === rollout.deploymentId)!;
    const now = this.clock();
    if (deployment.trafficPercent === 100) {
      await this.rollouts.finish(tx, rollout.id, 'SUCCEEDED', `${rollout.strategy === 'BLUE_GREEN' ? 'switched' : 'taken'} to 100% by ${actor}`, now);
      return { id: rollout.id, status: 'SUCCEEDED' };
    }
    const goesOn =
      rollout.strategy === 'BLUE_GREEN' ||
      (rollout.strategy === 'CANARY' && deployment.trafficPercent === rollout.steps[rollout.stepIndex]) ||
      (rollout.strategy === 'SHADOW' && deployment.shadowPercent > 0 && deployment.trafficPercent === 0);
    if (goesOn) return null;
    await this.rollouts.finish(tx, rollout.id, 'CANCELLED', `traffic split set by ${actor} (${deployment.trafficPercent}% live, ${deployment.shadowPercent}% shadow)`, now);
    return { id: rollout.id, status: 'CANCELLED' };
  }

  /** rollbackEndpoint: 100% of live traffic back to the stable deployment; the rollout in progress ends ROLLED_BACK. */
  async rollback(endpointId: string, identity: Identity) {
    parseGlobalId(endpointId, 'endpointId', 'endpoint');
    try {
      const endpoint = await this.db.$transaction(
        async (tx) => {
          const endpoint = await this.repository.lockEndpoint(tx, endpointId);
          if (!endpoint.stableDeploymentId) throw new ConflictError(`endpoint ${endpoint.name} has no stable deployment to return to (none has held 100% of its traffic)`);
          const deployments = await this.repository.deploymentsOf(tx, endpoint.id);
          const rollout = await this.rollouts.active(tx, endpoint.id);
          const without = rollout && rollout.deploymentId !== endpoint.stableDeploymentId ? rollout.deploymentId : null;
          const split = await this.stableSplit(tx, endpoint, deployments, without);
          const changed = await this.change(tx, endpoint, deployments, split, { reason: 'ROLLBACK', actor: identity.actor, rolloutId: rollout?.id });
          if (rollout) await this.rollouts.finish(tx, rollout.id, 'ROLLED_BACK', `rolled back by ${identity.actor}`, this.clock());
          await recordAudit(tx, {
            actor: identity.actor,
            action: 'rollbackEndpoint',
            subjectId: endpoint.id,
            requestId: identity.requestId,
            payload: { stableDeploymentId: endpoint.stableDeploymentId, changed, rolloutId: rollout?.id ?? null },
          });
          return endpoint;
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
      this.providers.committed(endpoint);
      return endpoint;
    } catch (error) {
      await recordFailedAttempt(this.db, error, { actor: identity.actor, action: 'rollbackEndpoint', subjectId: endpointId, requestId: identity.requestId });
      throw error;
    }
  }

  history(endpointId: string, first: number, before: bigint | null) {
    return this.repository.history(endpointId, first, before);
  }
}
