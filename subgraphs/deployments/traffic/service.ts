import { z } from 'zod';
import type { Database, Transaction } from '../../../platform/database.ts';
import { ConflictError, InputError, type InputProblem } from '../../../platform/errors.ts';
import { log } from '../../../platform/log.ts';
import {
  COMMIT_GRACE_MS,
  DEFAULT_OWNER_TIMEOUT_MS,
  KeyedQueue,
  waitWhilePending,
  withinTime,
} from '../../../platform/owner-calls.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import type {
  Deployment as DeploymentRow,
  Endpoint as EndpointRow,
  Rollout as RolloutRow,
  TrafficChange as TrafficChangeRow,
} from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { globalIdProblems, parseInput } from '../../../platform/validate.ts';
import { endpointRef, recordFailedAttempt, type DeploymentProviders, type Identity } from '../providers.ts';
import type { RolloutRepository } from '../rollout/repository.ts';
import { normalize, sameSplit, scaleShares, splitOf, type Share, type Split } from './split.ts';
import type { TrafficReason, TrafficRepository } from './repository.ts';

/** Why a split changes and who changed it, as recorded in the history. */
interface Cause {
  reason: TrafficReason;
  actor: string;
  rolloutId?: string | null;
}

/** What a change does in the catalog once the owner routes by its split (or when nothing changed): rollouts, audit. */
type Finish = (tx: Transaction, endpoint: EndpointRow, deployments: DeploymentRow[], changed: boolean) => Promise<void>;

/** A deployment the owner created for a change, as the split asked of it names it. */
export interface CreatedAtOwner {
  id: string;
  nativeId: string;
}

/**
 * What a change decided under the endpoint's lock: the whole split to ask of the owner, the owner
 * work around it, and how the catalog records it.
 */
export interface PlannedChange {
  split: Split;
  cause: Cause;
  /** Owner work before the split is asked (creating the deployment it names); answers what it created. */
  before?: () => Promise<CreatedAtOwner[]>;
  /** Owner work after the split is in force (releasing deployments it no longer names). */
  after?: () => Promise<void>;
  /** In the commit, before the split is recorded: catalog rows it names (the new deployment, its rollout). */
  prepare?: (tx: Transaction, endpoint: EndpointRow) => Promise<void>;
  finish: Finish;
}

/** Plans a change under the endpoint's lock; null when there is nothing to do after all. */
export type PlanChange = (
  tx: Transaction,
  endpoint: EndpointRow,
  deployments: DeploymentRow[],
) => Promise<PlannedChange | null>;

/** Reasons whose change carried owner work besides the split: a crash leaves nothing to finish them with. */
const WITH_OWNER_WORK: ReadonlySet<string> = new Set(['DEPLOY', 'PROMOTION_RULE', 'RETIRE']);

/** The audit action of each reason (a reconciled change is audited as what made it). */
const ACTION_OF: Record<string, string> = {
  SET_SPLIT: 'setTrafficSplit',
  ROLLBACK: 'rollbackEndpoint',
  ROLLOUT_STEP: 'rolloutStep',
  AUTO_ROLLBACK: 'autoRollback',
  DEPLOY: 'deployModelVersion',
  PROMOTION_RULE: 'deployModelVersion',
  RETIRE: 'retireDeployment',
};

export interface TrafficOwnerOptions {
  /** Bound on one owner call (CAIRN_OWNER_TIMEOUT_MS); past it the change is FAILED. Default 30 s. */
  timeoutMs?: number;
  /** How often a change waiting for another one of its endpoint looks again. Default 25 ms. */
  pollMs?: number;
}

/** Shares as compared and recorded: deployment ID and percent only (an owner's read-back also carries native IDs). */
const plain = (shares: readonly { deploymentId: string; percent: number }[]): Share[] =>
  normalize(shares.map(({ deploymentId, percent }) => ({ deploymentId, percent })));

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
  if (live.length > 0 && sum !== 100)
    problems.push({ path: ['split'], message: `live shares must sum to 100, not ${sum}` });
  for (const [field, shares] of [
    ['split', live],
    ['shadow', shadow],
  ] as const) {
    const seen = new Set<unknown>();
    shares.forEach((share, index) => {
      if (seen.has(share?.deploymentId))
        problems.push({ path: [field, index, 'deploymentId'], message: 'names a deployment already in this list' });
      seen.add(share?.deploymentId);
    });
  }
  const liveIds = new Set(
    live.filter((share) => typeof share?.percent === 'number' && share.percent > 0).map((share) => share.deploymentId),
  );
  shadow.forEach((share, index) => {
    if (typeof share?.percent === 'number' && share.percent > 0 && liveIds.has(share.deploymentId)) {
      problems.push({
        path: ['shadow', index, 'deploymentId'],
        message: 'takes live traffic: a deployment cannot also mirror it',
      });
    }
  });
  return problems;
}

/**
 * Changes of an endpoint's traffic split. Every change goes to the endpoint's owner first (the
 * built-in router's table, a cloud's traffic API); only when the owner accepted it does the catalog
 * record it, with its history entry and audit event.
 *
 * setTrafficSplit and rollbackEndpoint call the owner with no database transaction open (on the
 * embedded database, one connection, every other request would wait on the cloud): a short
 * transaction under the endpoint's row lock reserves a PENDING traffic_change; the owner is asked
 * within a time bound; a second transaction records the split and marks it APPLIED (or FAILED).
 * A change of an endpoint with a PENDING one waits for it, so changes of one endpoint never
 * interleave. A change left PENDING by a process that died is settled by `reconcilePending`.
 */
export class TrafficService {
  private readonly ownerTimeoutMs: number;
  private readonly pollMs: number;
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly db: Database,
    private readonly repository: TrafficRepository,
    private readonly rollouts: RolloutRepository,
    private readonly providers: DeploymentProviders,
    private readonly clock: () => Date,
    owner: TrafficOwnerOptions = {},
  ) {
    this.ownerTimeoutMs = owner.timeoutMs ?? DEFAULT_OWNER_TIMEOUT_MS;
    this.pollMs = owner.pollMs ?? 25;
  }

  /**
   * Every change of an endpoint (a split, a deploy, a retirement, a rollout's step) with its owner
   * called outside any transaction: reserve (`plan` under the endpoint's row lock, a PENDING
   * traffic_change) -> the owner work (`before`, the split, `after`) within the time bound ->
   * commit (the rows `prepare` writes, the split, the stable deployment, `finish`; APPLIED) or
   * FAILED and rethrow. A change that asks nothing of the owner finishes in the first transaction.
   * Answers the endpoint as committed.
   */
  async changeEndpoint(endpointId: string, plan: PlanChange): Promise<EndpointRow> {
    return this.queue.run(endpointId, async () => {
      for (;;) {
        const reserved = await this.db.$transaction(
          async (tx) => {
            const endpoint = await this.repository.lockEndpoint(tx, endpointId);
            const pending = await this.repository.pendingOf(tx, endpointId);
            if (pending) return { kind: 'wait' as const, id: pending.id };
            const deployments = await this.repository.deploymentsOf(tx, endpoint.id);
            const planned = await plan(tx, endpoint, deployments);
            if (!planned) return { kind: 'done' as const, endpoint };
            const next: Split = { live: plain(planned.split.live), shadow: plain(planned.split.shadow) };
            const changed = !sameSplit(next, splitOf(deployments));
            if (!changed && !planned.before && !planned.after) {
              // Already in force and nothing else to ask of the owner.
              await planned.prepare?.(tx, endpoint);
              await planned.finish(tx, endpoint, deployments, false);
              return { kind: 'done' as const, endpoint };
            }
            // Real time, not the service's clock: it bounds how long the owner call may still run.
            const row = await this.repository.appendChange(
              tx,
              { endpointId: endpoint.id, split: next, ...planned.cause, at: new Date() },
              'PENDING',
            );
            return { kind: 'reserved' as const, endpoint, deployments, next, changed, row, planned };
          },
          { timeout: 30_000, maxWait: 30_000 },
        );
        if (reserved.kind === 'wait') {
          await this.waitFor(reserved.id);
          continue;
        }
        if (reserved.kind === 'done') {
          this.providers.committed(reserved.endpoint);
          return reserved.endpoint;
        }
        const { endpoint, deployments, next, changed, row, planned } = reserved;
        try {
          await withinTime(
            endpoint.providerName,
            `the change of endpoint ${endpoint.name}`,
            this.ownerTimeoutMs,
            async () => {
              const created = (await planned.before?.()) ?? [];
              if (changed) await this.ask(endpoint, [...deployments, ...created], next);
              await planned.after?.();
            },
          );
        } catch (error) {
          await this.db
            .$transaction((tx) => this.repository.settle(tx, row.id, 'FAILED', this.clock()))
            .catch((e: unknown) =>
              log.error({ err: e, trafficChangeId: String(row.id) }, 'could not record a failed traffic change'),
            );
          throw error;
        }
        return (await this.commit(row.id, endpoint.id, next, changed, planned)) ?? endpoint;
      }
    });
  }

  /** Asks the owner to route by `split` (native IDs of the deployments added). */
  private ask(endpoint: EndpointRow, deployments: { id: string; nativeId: string }[], split: Split) {
    const byId = new Map(deployments.map((d) => [d.id, d]));
    const native = (share: Share) => ({ ...share, nativeId: byId.get(share.deploymentId)!.nativeId });
    return this.providers
      .get(endpoint.providerName)
      .applyTrafficSplit(endpointRef(endpoint), { live: split.live.map(native), shadow: split.shadow.map(native) });
  }

  /**
   * The owner did its part: in one transaction under the endpoint's lock the PENDING change
   * becomes APPLIED (or, when the split did not change, is withdrawn from the history), the rows
   * `prepare` writes and the split are recorded, and `finish` runs. Answers null when the change
   * was not PENDING any more (a reconciler settled it).
   */
  private async commit(
    changeId: bigint,
    endpointId: string,
    split: Split,
    changed: boolean,
    planned: Pick<PlannedChange, 'prepare' | 'finish'>,
  ): Promise<EndpointRow | null> {
    const endpoint = await this.db.$transaction(
      async (tx) => {
        const endpoint = await this.repository.lockEndpoint(tx, endpointId);
        const settled = changed
          ? await this.repository.settle(tx, changeId, 'APPLIED', this.clock())
          : await this.repository.withdraw(tx, changeId);
        if (!settled) return null;
        await planned.prepare?.(tx, endpoint);
        const deployments = await this.repository.deploymentsOf(tx, endpoint.id);
        if (changed) await this.record(tx, endpoint, deployments, split);
        await planned.finish(tx, endpoint, deployments, changed);
        return endpoint;
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
    if (endpoint) this.providers.committed(endpoint);
    return endpoint;
  }

  /** The catalog's side of a split the owner now routes by: shares, stable deployment, the rows in memory. */
  private async record(tx: Transaction, endpoint: EndpointRow, deployments: DeploymentRow[], next: Split) {
    await this.repository.recordSplit(tx, endpoint.id, next);
    const full = next.live.find((share) => share.percent === 100);
    if (full && full.deploymentId !== endpoint.stableDeploymentId) {
      await tx.endpoint.update({ where: { id: endpoint.id }, data: { stableDeploymentId: full.deploymentId } });
      endpoint.stableDeploymentId = full.deploymentId;
    }
    for (const deployment of deployments) {
      deployment.trafficPercent = next.live.find((s) => s.deploymentId === deployment.id)?.percent ?? 0;
      deployment.shadowPercent = next.shadow.find((s) => s.deploymentId === deployment.id)?.percent ?? 0;
    }
  }

  /** The moment past which a PENDING change's owner call is over (its process died if it is still PENDING). */
  private deadlineOf(row: TrafficChangeRow): number {
    return row.createdAt.getTime() + this.ownerTimeoutMs + COMMIT_GRACE_MS;
  }

  /** Waits for a PENDING change to be committed or failed; past its deadline it is reconciled here. */
  private async waitFor(changeId: bigint): Promise<void> {
    let row: TrafficChangeRow | null = null;
    await waitWhilePending(
      async () => {
        row = await this.repository.byId(this.db, changeId);
        return row && { pending: row.status === 'PENDING', deadline: this.deadlineOf(row) };
      },
      () => this.reconcile(row!),
      this.pollMs,
    );
  }

  /**
   * Settles traffic changes left PENDING by a process that died between the owner call and the
   * commit, by reading the split back from the owner: the owner routes by the intended split ->
   * APPLIED (the catalog records it, with its audit event); otherwise FAILED (the catalog
   * unchanged). A deploy or retirement (owner work besides the split, whose catalog rows the dead
   * process never wrote) is FAILED: a deployment the owner made anyway is found by the next sync.
   * `all` also takes changes whose deadline has not passed (start-up of the only process).
   * Answers how many were settled.
   */
  async reconcilePending(options: { providerName?: string; all?: boolean } = {}): Promise<number> {
    let settled = 0;
    for (const row of await this.repository.pending()) {
      if (options.providerName && row.endpoint.providerName !== options.providerName) continue;
      if (!options.all && Date.now() <= this.deadlineOf(row)) continue;
      try {
        if (await this.reconcile(row)) settled++;
      } catch (error) {
        log.warn({ err: error, trafficChangeId: String(row.id) }, 'could not reconcile a pending traffic change yet');
      }
    }
    return settled;
  }

  /** The latest deadline of the PENDING changes, if any (start-up reconciles again once it passed). */
  async latestPendingDeadline(): Promise<Date | null> {
    const deadlines = (await this.repository.pending()).map((row) => this.deadlineOf(row));
    return deadlines.length ? new Date(Math.max(...deadlines)) : null;
  }

  private async reconcile(row: TrafficChangeRow): Promise<boolean> {
    const endpoint = await this.db.endpoint.findUniqueOrThrow({ where: { id: row.endpointId } });
    const deployments = await this.repository.deploymentsOf(this.db, endpoint.id);
    const intended: Split = {
      live: plain(row.live as unknown as Share[]),
      shadow: plain(row.shadow as unknown as Share[]),
    };
    const action = ACTION_OF[row.reason] ?? 'setTrafficSplit';
    const failWith = (error: string) =>
      this.db.$transaction(async (tx) => {
        if (!(await this.repository.settle(tx, row.id, 'FAILED', this.clock()))) return false;
        await recordAudit(tx, {
          actor: row.actor,
          action,
          subjectId: endpoint.id,
          outcome: 'FAILED',
          payload: { live: intended.live, shadow: intended.shadow, reconciled: true, error } as never,
        });
        return true;
      });
    if (WITH_OWNER_WORK.has(row.reason))
      return failWith('reconciled: the process making this change stopped before recording it');
    const owner = await withinTime(endpoint.providerName, 'reading a traffic split back', this.ownerTimeoutMs, () =>
      this.providers.get(endpoint.providerName).trafficSplitOf(
        endpointRef(endpoint),
        deployments.map((d) => ({ id: d.id, nativeId: d.nativeId })),
      ),
    );
    if (!sameSplit({ live: plain(owner.live), shadow: plain(owner.shadow) }, intended))
      return failWith('reconciled: the owner does not route by the split asked');
    const finish: Finish = async (tx, locked, rows) => {
      let ended: { id: string; status: string } | null = null;
      if (row.reason === 'ROLLBACK' && row.rolloutId) {
        await this.rollouts.finish(tx, row.rolloutId, 'ROLLED_BACK', `rolled back by ${row.actor}`, this.clock());
        ended = { id: row.rolloutId, status: 'ROLLED_BACK' };
      } else if (row.reason === 'SET_SPLIT') {
        const rollout = await this.rollouts.active(tx, locked.id);
        ended = rollout ? await this.settleRollout(tx, rollout, rows, row.actor) : null;
      }
      // A rollout's own step or rollback: its next check finds the split in force and moves the rollout on.
      await recordAudit(tx, {
        actor: row.actor,
        action,
        subjectId: locked.id,
        payload: {
          live: intended.live,
          shadow: intended.shadow,
          changed: true,
          reconciled: true,
          ...(ended ? { rollout: ended } : {}),
        } as never,
      });
    };
    return (await this.commit(row.id, endpoint.id, intended, true, { finish })) !== null;
  }

  /**
   * The split a rollback returns to: 100% of live traffic to the stable deployment, with the shadow
   * shares of the last split in which it held 100% (less retired deployments and `without`). With
   * no stable deployment, the other live shares scaled back to 100.
   */
  async stableSplit(
    tx: Transaction,
    endpoint: EndpointRow,
    deployments: DeploymentRow[],
    without: string | null,
  ): Promise<Split> {
    const active = new Set(deployments.filter((d) => d.status === 'ACTIVE' && d.id !== without).map((d) => d.id));
    const stable = endpoint.stableDeploymentId;
    if (stable && active.has(stable)) {
      const last = await this.repository.lastSplitWithFullShare(tx, endpoint.id, stable);
      return {
        live: [{ deploymentId: stable, percent: 100 }],
        shadow: (last?.shadow ?? []).filter((share) => active.has(share.deploymentId) && share.deploymentId !== stable),
      };
    }
    const current = splitOf(deployments);
    const live = scaleShares(
      current.live.filter((share) => active.has(share.deploymentId)),
      100,
    );
    if (live.length === 0) throw new ConflictError(`endpoint ${endpoint.name} has no stable deployment to return to`);
    return { live, shadow: current.shadow.filter((share) => active.has(share.deploymentId)) };
  }

  /** setTrafficSplit: the whole split (live summing to 100; shadow replaced when given, else kept). */
  async setSplit(input: unknown, identity: Identity) {
    const spec = parseInput(setSplitSchema, input, { crossChecks: splitProblems });
    try {
      return await this.changeEndpoint(spec.endpointId, async (tx, endpoint, deployments) => {
        const byId = new Map(deployments.map((d) => [d.id, d]));
        const problems: InputProblem[] = [];
        const check = (field: 'split' | 'shadow', shares: { deploymentId: string; percent: number }[]) =>
          shares.forEach((share, index) => {
            const deployment = byId.get(share.deploymentId);
            const path = `input.${field}.${index}.deploymentId`;
            if (!deployment)
              problems.push({
                path,
                message: `${share.deploymentId} is not a deployment of endpoint ${endpoint.name}`,
              });
            else if (deployment.status !== 'ACTIVE' && share.percent > 0)
              problems.push({ path, message: `${share.deploymentId} is ${deployment.status} and cannot take traffic` });
          });
        check('split', spec.split);
        if (spec.shadow) check('shadow', spec.shadow);
        if (problems.length) throw new InputError(problems);
        const current = splitOf(deployments);
        const split: Split = { live: spec.split, shadow: spec.shadow ?? current.shadow };
        return {
          split,
          cause: { reason: 'SET_SPLIT', actor: identity.actor },
          finish: async (tx, endpoint, deployments, changed) => {
            const rollout = await this.rollouts.active(tx, endpoint.id);
            const ended = rollout ? await this.settleRollout(tx, rollout, deployments, identity.actor) : null;
            await recordAudit(tx, {
              actor: identity.actor,
              action: 'setTrafficSplit',
              subjectId: endpoint.id,
              requestId: identity.requestId,
              payload: {
                live: normalize(split.live),
                shadow: normalize(split.shadow),
                changed,
                ...(ended ? { rollout: ended } : {}),
              } as never,
            });
          },
        };
      });
    } catch (error) {
      await recordFailedAttempt(this.db, error, {
        actor: identity.actor,
        action: 'setTrafficSplit',
        subjectId: spec.endpointId,
        requestId: identity.requestId,
      });
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
      await this.rollouts.finish(
        tx,
        rollout.id,
        'SUCCEEDED',
        `${rollout.strategy === 'BLUE_GREEN' ? 'switched' : 'taken'} to 100% by ${actor}`,
        now,
      );
      return { id: rollout.id, status: 'SUCCEEDED' };
    }
    const goesOn =
      rollout.strategy === 'BLUE_GREEN' ||
      (rollout.strategy === 'CANARY' && deployment.trafficPercent === rollout.steps[rollout.stepIndex]) ||
      (rollout.strategy === 'SHADOW' && deployment.shadowPercent > 0 && deployment.trafficPercent === 0);
    if (goesOn) return null;
    await this.rollouts.finish(
      tx,
      rollout.id,
      'CANCELLED',
      `traffic split set by ${actor} (${deployment.trafficPercent}% live, ${deployment.shadowPercent}% shadow)`,
      now,
    );
    return { id: rollout.id, status: 'CANCELLED' };
  }

  /** rollbackEndpoint: 100% of live traffic back to the stable deployment; the rollout in progress ends ROLLED_BACK. */
  async rollback(endpointId: string, identity: Identity) {
    parseGlobalId(endpointId, 'endpointId', 'endpoint');
    try {
      return await this.changeEndpoint(endpointId, async (tx, endpoint, deployments) => {
        if (!endpoint.stableDeploymentId)
          throw new ConflictError(
            `endpoint ${endpoint.name} has no stable deployment to return to (none has held 100% of its traffic)`,
          );
        const stableDeploymentId = endpoint.stableDeploymentId;
        const rollout = await this.rollouts.active(tx, endpoint.id);
        const without = rollout && rollout.deploymentId !== endpoint.stableDeploymentId ? rollout.deploymentId : null;
        const split = await this.stableSplit(tx, endpoint, deployments, without);
        return {
          split,
          cause: { reason: 'ROLLBACK', actor: identity.actor, rolloutId: rollout?.id },
          finish: async (tx, endpoint, _deployments, changed) => {
            if (rollout)
              await this.rollouts.finish(
                tx,
                rollout.id,
                'ROLLED_BACK',
                `rolled back by ${identity.actor}`,
                this.clock(),
              );
            await recordAudit(tx, {
              actor: identity.actor,
              action: 'rollbackEndpoint',
              subjectId: endpoint.id,
              requestId: identity.requestId,
              payload: { stableDeploymentId, changed, rolloutId: rollout?.id ?? null },
            });
          },
        };
      });
    } catch (error) {
      await recordFailedAttempt(this.db, error, {
        actor: identity.actor,
        action: 'rollbackEndpoint',
        subjectId: endpointId,
        requestId: identity.requestId,
      });
      throw error;
    }
  }

  historyOfEndpoints(endpointIds: readonly string[], take: number, from: bigint | null, oldestFirst: boolean) {
    return this.repository.historyOfEndpoints(endpointIds, take, from, oldestFirst);
  }

  countHistoryOfEndpoints(endpointIds: readonly string[]) {
    return this.repository.countHistoryOfEndpoints(endpointIds);
  }
}
