import type { Database, Transaction } from '../../../platform/database.ts';
import type { JobQueue } from '../../../platform/jobs.ts';
import type { DeploymentStats } from '../../../adapters/core/deployment.ts';
import { isCairnError, NotFoundError } from '../../../platform/errors.ts';
import { log } from '../../../platform/log.ts';
import type { Prisma, Rollout as RolloutRow } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { endpointRef, type DeploymentProviders } from '../providers.ts';
import type { TrafficRepository } from '../traffic/repository.ts';
import type { TrafficService } from '../traffic/service.ts';
import { splitOf, withLiveShare } from '../traffic/split.ts';
import { DEPLOYMENTS_JOB, type DeploymentsJob } from '../jobs.ts';
import type { TimeKey } from '../../shared/connection.ts';
import type { RolloutRepository } from './repository.ts';

/** The actor of the changes a rollout makes by itself. */
export const ROLLOUT_ACTOR = 'cairn:rollout';

export interface RolloutPlan {
  steps: number[];
  bakeSeconds: number;
  maxErrorRate: number | null;
  maxLatencyP99Ms: number | null;
  minRequests: number;
}

export interface RolloutOptions {
  /** How often a rollout in progress is looked at between step ends (early rollback, shadow comparison). */
  pollSeconds: number;
}

export interface Figures {
  requests: number;
  errors: number;
  errorRate: number | null;
  latencyP99Ms: number | null;
}

/** What one look at a rollout found; stored as `Rollout.lastAnalysis` (the canary's or the shadow's fields, or neither with ERROR). */
export interface Analysis {
  at: string;
  verdict: 'PASS' | 'FAIL' | 'BAKING' | 'WAITING' | 'OK' | 'WORSE' | 'ERROR';
  reasons: string[];
  since?: string;
  step?: number;
  percent?: number | null;
  canary?: Figures;
  baseline?: Figures;
  shadow?: Figures;
  live?: Figures;
  errorRateDelta?: number | null;
  latencyP99DeltaMs?: number | null;
}

function figures(stats: DeploymentStats | undefined): Figures {
  const requests = stats?.requests ?? 0;
  const errors = stats?.errors ?? 0;
  return {
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    latencyP99Ms: stats?.latencyP99Ms ?? null,
  };
}

/** The live deployments taken together: summed counts, the worst p99 (a bound, not a merged quantile). */
function combined(stats: (DeploymentStats | undefined)[]): Figures {
  const requests = stats.reduce((acc, s) => acc + (s?.requests ?? 0), 0);
  const errors = stats.reduce((acc, s) => acc + (s?.errors ?? 0), 0);
  const p99s = stats.map((s) => s?.latencyP99Ms).filter((v): v is number => typeof v === 'number');
  return {
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : null,
    latencyP99Ms: p99s.length ? Math.max(...p99s) : null,
  };
}

const round = (value: number) => Math.round(value * 10_000) / 10_000;

/** Threshold breaches of `f`, once it has served enough requests to be judged. */
function breaches(f: Figures, plan: Pick<RolloutRow, 'maxErrorRate' | 'maxLatencyP99Ms' | 'minRequests'>): string[] {
  if (f.requests < Math.max(1, plan.minRequests)) return [];
  const reasons: string[] = [];
  if (plan.maxErrorRate != null && f.errorRate != null && f.errorRate > plan.maxErrorRate) {
    reasons.push(
      `error rate ${round(f.errorRate)} above ${plan.maxErrorRate} (${f.errors} errors in ${f.requests} requests)`,
    );
  }
  if (plan.maxLatencyP99Ms != null && f.latencyP99Ms != null && f.latencyP99Ms > plan.maxLatencyP99Ms) {
    reasons.push(`p99 latency ${round(f.latencyP99Ms)} ms above ${plan.maxLatencyP99Ms} ms`);
  }
  return reasons;
}

/**
 * A canary step: FAIL as soon as the canary, with enough requests, exceeds a threshold (even
 * before the bake time is over); BAKING until the bake time is over; WAITING while it has served
 * fewer than `minRequests`; PASS otherwise (the next step may start).
 */
export function analyzeCanary(
  rollout: RolloutRow,
  canary: DeploymentStats | undefined,
  baseline: DeploymentStats[],
  now: Date,
): Analysis {
  const f = figures(canary);
  const reasons = breaches(f, rollout);
  const bakedAt = rollout.stepStartedAt.getTime() + rollout.bakeSeconds * 1000;
  const verdict = reasons.length
    ? 'FAIL'
    : now.getTime() < bakedAt
      ? 'BAKING'
      : f.requests < rollout.minRequests
        ? 'WAITING'
        : 'PASS';
  return {
    at: now.toISOString(),
    verdict,
    reasons,
    step: rollout.stepIndex,
    percent: rollout.steps[rollout.stepIndex] ?? null,
    since: rollout.stepStartedAt.toISOString(),
    canary: f,
    baseline: combined(baseline),
  };
}

/**
 * A shadow comparison: the mirrored deployment against the live ones over the same window.
 * WORSE when it exceeds a threshold of the plan; WAITING until it has served enough requests.
 */
export function analyzeShadow(
  rollout: RolloutRow,
  shadow: DeploymentStats | undefined,
  live: DeploymentStats[],
  now: Date,
): Analysis {
  const s = figures(shadow);
  const l = combined(live);
  const reasons = breaches(s, rollout);
  const verdict = reasons.length ? 'WORSE' : s.requests < Math.max(1, rollout.minRequests) ? 'WAITING' : 'OK';
  return {
    at: now.toISOString(),
    verdict,
    reasons,
    since: rollout.stepStartedAt.toISOString(),
    shadow: s,
    live: l,
    errorRateDelta: s.errorRate != null && l.errorRate != null ? round(s.errorRate - l.errorRate) : null,
    latencyP99DeltaMs: s.latencyP99Ms != null && l.latencyP99Ms != null ? round(s.latencyP99Ms - l.latencyP99Ms) : null,
  };
}

/**
 * Progressive rollouts. A CANARY rollout moves its deployment through the plan's steps, each held
 * for the bake time and judged on the deployment's own figures (from the owner, through
 * `DeploymentProvider.deploymentStats`); a breach rolls the endpoint back by itself. A SHADOW
 * rollout keeps comparing the mirror with live traffic. A BLUE_GREEN rollout waits for the switch
 * (setTrafficSplit). State is in Postgres and the checks are durable jobs: a restart loses nothing.
 */
export class RolloutService {
  constructor(
    private readonly db: Database,
    private readonly repository: RolloutRepository,
    private readonly trafficRepository: TrafficRepository,
    private readonly traffic: TrafficService,
    private readonly providers: DeploymentProviders,
    private readonly jobs: JobQueue,
    private readonly clock: () => Date,
    private readonly options: RolloutOptions,
  ) {}

  /** Inside the deploy's commit: records the rollout and queues its first check. */
  async start(
    tx: Transaction,
    args: {
      /** The rollout's ID when the caller chose it (a deploy names it in its reserved traffic change). */
      id?: string;
      endpointId: string;
      deploymentId: string;
      baselineDeploymentId: string | null;
      strategy: 'CANARY' | 'SHADOW' | 'BLUE_GREEN';
      plan: RolloutPlan;
      actor: string;
    },
  ) {
    const now = this.clock();
    const rollout = await tx.rollout.create({
      data: {
        ...(args.id ? { id: args.id } : {}),
        endpointId: args.endpointId,
        deploymentId: args.deploymentId,
        baselineDeploymentId: args.baselineDeploymentId,
        strategy: args.strategy,
        status: 'IN_PROGRESS',
        steps: args.plan.steps,
        stepIndex: 0,
        bakeSeconds: args.plan.bakeSeconds,
        maxErrorRate: args.plan.maxErrorRate,
        maxLatencyP99Ms: args.plan.maxLatencyP99Ms,
        minRequests: args.plan.minRequests,
        createdBy: args.actor,
        startedAt: now,
        stepStartedAt: now,
      },
    });
    if (args.strategy !== 'BLUE_GREEN') await this.schedule(tx, rollout.id, this.nextCheck(rollout, now, false));
    return rollout;
  }

  /** When to look next: at the end of the bake time, or sooner to catch a breach early; later when it waits for requests. */
  private nextCheck(rollout: RolloutRow, now: Date, waited: boolean): Date {
    const poll = now.getTime() + this.options.pollSeconds * 1000;
    if (rollout.strategy === 'SHADOW' || waited) return new Date(poll);
    const due = rollout.stepStartedAt.getTime() + rollout.bakeSeconds * 1000;
    return new Date(due >= now.getTime() ? Math.min(due, poll) : poll);
  }

  /** Queues the check at `at` (in the caller's transaction); any check queued for another time becomes a no-op. */
  private async schedule(tx: Transaction, rolloutId: string, at: Date) {
    await tx.rollout.update({ where: { id: rolloutId }, data: { nextCheckAt: at } });
    const delayMs = at.getTime() - this.clock().getTime();
    await this.jobs.send<DeploymentsJob>(
      DEPLOYMENTS_JOB,
      { kind: 'rollout-check', rolloutId, checkAt: at.toISOString() },
      {
        transaction: tx,
        startAfter: delayMs > 0 ? new Date(Date.now() + delayMs) : undefined,
        retryLimit: 10,
        retryDelaySeconds: 5,
        retryBackoff: true,
      },
    );
  }

  /** The job: one check, unless a later check superseded it. */
  async runJob(data: { rolloutId: string; checkAt: string }): Promise<void> {
    await this.evaluate(data.rolloutId, { checkAt: data.checkAt });
  }

  /**
   * Looks at a rollout in progress now: reads its figures from the owner, records the analysis,
   * and advances, rolls back, or schedules the next look. Callable at any time (tests call it
   * directly instead of waiting for bake times); a rollout that is over is answered as it is.
   */
  async evaluate(rolloutId: string, options: { checkAt?: string } = {}): Promise<RolloutRow> {
    const rollout = await this.db.rollout.findUnique({ where: { id: rolloutId } });
    if (!rollout) throw new NotFoundError('Rollout', rolloutId);
    const superseded = (row: RolloutRow) =>
      options.checkAt !== undefined && row.nextCheckAt?.getTime() !== Date.parse(options.checkAt);
    if (rollout.status !== 'IN_PROGRESS' || rollout.strategy === 'BLUE_GREEN' || superseded(rollout)) return rollout;
    const endpoint = await this.db.endpoint.findUniqueOrThrow({ where: { id: rollout.endpointId } });
    const deployments = await this.db.deployment.findMany({ where: { endpointId: endpoint.id } });
    const others = deployments.filter((d) => d.id !== rollout.deploymentId && d.trafficPercent > 0).map((d) => d.id);
    // The owner is asked outside the transaction: a cloud's metrics API must not hold the endpoint's lock.
    let analysis: Analysis;
    try {
      const stats = await this.providers
        .get(endpoint.providerName)
        .deploymentStats(endpointRef(endpoint), [rollout.deploymentId, ...others], rollout.stepStartedAt);
      const now = this.clock();
      const own = stats.get(rollout.deploymentId);
      const rest = others.map((id) => stats.get(id)).filter((s): s is DeploymentStats => Boolean(s));
      analysis =
        rollout.strategy === 'SHADOW' ? analyzeShadow(rollout, own, rest, now) : analyzeCanary(rollout, own, rest, now);
    } catch (error) {
      const judgedOnTimeAlone =
        rollout.maxErrorRate == null && rollout.maxLatencyP99Ms == null && rollout.minRequests === 0;
      if (isCairnError(error) && error.code === 'NOT_SUPPORTED' && judgedOnTimeAlone && rollout.strategy === 'CANARY') {
        // An owner without per-deployment metrics, and a plan that asks for none: bake time alone decides.
        analysis = analyzeCanary(rollout, undefined, [], this.clock());
      } else {
        log.warn({ err: error, rolloutId }, 'rollout analysis could not read deployment figures');
        analysis = {
          at: this.clock().toISOString(),
          verdict: 'ERROR',
          reasons: [isCairnError(error) ? error.message : "the owner's figures could not be read"],
        };
      }
    }
    const lastAnalysis = analysis as unknown as Prisma.InputJsonValue;
    const moved = (row: RolloutRow) =>
      row.status !== 'IN_PROGRESS' ||
      row.stepIndex !== rollout.stepIndex ||
      row.stepStartedAt.getTime() !== rollout.stepStartedAt.getTime() ||
      superseded(row);
    if (analysis.verdict === 'FAIL' || (analysis.verdict === 'PASS' && rollout.strategy === 'CANARY')) {
      // A traffic change: the owner is asked with no transaction open, like any other.
      let result: RolloutRow | null = null;
      await this.traffic.changeEndpoint(rollout.endpointId, async (tx, locked, rows) => {
        const current = await tx.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
        if (moved(current)) {
          result = current;
          return null;
        }
        if (analysis.verdict === 'FAIL') {
          const split = await this.traffic.stableSplit(tx, locked, rows, current.deploymentId);
          const reason = `automatic rollback at step ${current.stepIndex + 1} (${current.steps[current.stepIndex]}%): ${analysis.reasons.join('; ')}`;
          return {
            split,
            cause: { reason: 'AUTO_ROLLBACK', actor: ROLLOUT_ACTOR, rolloutId },
            finish: async (tx, endpoint) => {
              await tx.rollout.update({ where: { id: rolloutId }, data: { lastAnalysis } });
              result = await this.repository.finish(tx, rolloutId, 'ROLLED_BACK', reason, this.clock());
              await recordAudit(tx, {
                actor: ROLLOUT_ACTOR,
                action: 'autoRollback',
                subjectId: endpoint.id,
                payload: { rolloutId, reason, live: split.live, shadow: split.shadow } as never,
              });
              log.warn({ rolloutId, endpoint: endpoint.name, reason }, 'canary rolled back automatically');
            },
          };
        }
        const next = current.stepIndex + 1;
        const percent = current.steps[next] ?? 100;
        const split = splitOf(rows.filter((d) => d.status === 'ACTIVE'));
        return {
          split: { live: withLiveShare(split.live, current.deploymentId, percent), shadow: split.shadow },
          cause: { reason: 'ROLLOUT_STEP', actor: ROLLOUT_ACTOR, rolloutId },
          finish: async (tx, endpoint) => {
            const now = this.clock();
            let row = await tx.rollout.update({
              where: { id: rolloutId },
              data: { stepIndex: Math.min(next, current.steps.length - 1), stepStartedAt: now, lastAnalysis },
            });
            if (percent >= 100) {
              row = await this.repository.finish(
                tx,
                rolloutId,
                'SUCCEEDED',
                `all ${current.steps.length} steps passed`,
                now,
              );
            } else {
              await this.schedule(tx, rolloutId, this.nextCheck(row, now, false));
            }
            await recordAudit(tx, {
              actor: ROLLOUT_ACTOR,
              action: 'rolloutStep',
              subjectId: endpoint.id,
              payload: { rolloutId, step: next, percent, status: row.status },
            });
            result = row;
          },
        };
      });
      return result ?? (await this.db.rollout.findUniqueOrThrow({ where: { id: rolloutId } }));
    }
    return this.db.$transaction(
      async (tx) => {
        await this.trafficRepository.lockEndpoint(tx, rollout.endpointId);
        const current = await tx.rollout.findUniqueOrThrow({ where: { id: rolloutId } });
        if (moved(current)) return current;
        const row = await tx.rollout.update({ where: { id: rolloutId }, data: { lastAnalysis } });
        await this.schedule(
          tx,
          rolloutId,
          this.nextCheck(
            row,
            this.clock(),
            analysis.verdict === 'WAITING' || analysis.verdict === 'ERROR' || analysis.verdict === 'PASS',
          ),
        );
        return row;
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }

  byIds(ids: readonly string[]) {
    return this.repository.byIds(ids);
  }

  activeByEndpointIds(ids: readonly string[]) {
    return this.repository.activeByEndpointIds(ids);
  }

  pageOfEndpoints(endpointIds: readonly string[], take: number, after: TimeKey | null) {
    return this.repository.pageOfEndpoints(endpointIds, take, after);
  }

  countByEndpointIds(endpointIds: readonly string[]) {
    return this.repository.countByEndpointIds(endpointIds);
  }
}
