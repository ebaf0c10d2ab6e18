import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Database, Transaction } from '../../../platform/database.ts';
import { ConflictError, NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import { log } from '../../../platform/log.ts';
import {
  COMMIT_GRACE_MS,
  DEFAULT_OWNER_TIMEOUT_MS,
  KeyedQueue,
  waitWhilePending,
  withinTime,
} from '../../../platform/owner-calls.ts';
import type { ModelRegistryProvider } from '../../../adapters/core/model-registry.ts';
import { Prisma, type Promotion as PromotionRow } from '../../../prisma/generated/client.ts';
import { Stage } from '../../../prisma/generated/enums.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { parseInput } from '../../../platform/validate.ts';
import { evaluatePolicy } from '../policy/cel.ts';
import { globMatches } from '../policy/service.ts';
import { WebhookEvent } from '../webhook/type.ts';
import type { WebhookService } from '../webhook/service.ts';
import { buildPolicyContext } from './context.ts';
import { PENDING, PromotionRepository, type IntentVersion, type PromotionIntent } from './repository.ts';

const promoteSchema = z.object({
  modelVersionId: z.string(),
  to: z.enum([Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED], { message: 'must be STAGING, PRODUCTION or ARCHIVED' }),
  dryRun: z.boolean().nullish(),
  idempotencyKey: z.string().min(1).max(200).nullish(),
  reason: z.string().max(2000).nullish(),
  expectedCurrentVersionId: z.string().min(1).nullish(),
});

export interface EvaluationView {
  policy: string;
  version: number;
  severity: 'BLOCK' | 'WARN';
  outcome: 'PASSED' | 'FAILED' | 'ERRORED';
  message: string;
  error: string | null;
}

/** What a promotion answered; stored with the promotion so a replay answers exactly the same. */
interface Verdict {
  allowed: boolean;
  applied: boolean;
  status: 'APPLIED' | 'DENIED' | 'PENDING_APPROVAL';
  evaluations: EvaluationView[];
  previousHolderId: string | null;
}

export interface PromotionOutcome {
  allowed: boolean;
  applied: boolean;
  dryRun: boolean;
  replayed: boolean;
  promotion: PromotionRow | null;
  evaluations: EvaluationView[];
  violations: { policy: string; message: string; severity: 'BLOCK' | 'WARN' }[];
  warnings: { policy: string; message: string; severity: 'BLOCK' | 'WARN' }[];
  previousHolderId: string | null;
}

/** An applied promotion to PRODUCTION, as the deployments side hears of it. */
export interface PromotedToProduction {
  promotionId: string;
  modelVersionId: string;
  modelName: string;
  modelProvider: string;
  actor: string;
}

export interface Identity {
  actor: string;
  roles: string[];
  requestId?: string;
}

function canonicalHash(value: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify(value, Object.keys(value).sort()))
    .digest('hex');
}

function outcome(
  verdict: Verdict,
  promotion: PromotionRow | null,
  flags: { dryRun: boolean; replayed: boolean },
): PromotionOutcome {
  const failed = verdict.evaluations.filter((e) => e.outcome !== 'PASSED');
  const view = (e: EvaluationView) => ({
    policy: e.policy,
    message: e.error ? `${e.message} (${e.error})` : e.message,
    severity: e.severity,
  });
  return {
    ...flags,
    allowed: verdict.allowed,
    applied: verdict.applied,
    promotion,
    evaluations: verdict.evaluations,
    violations: failed.filter((e) => e.severity === 'BLOCK').map(view),
    warnings: failed.filter((e) => e.severity === 'WARN').map(view),
    previousHolderId: verdict.previousHolderId,
  };
}

/** Settings of the calls to a model's owner. */
export interface OwnerCallOptions {
  /** How long the owner may take to accept a stage change before the promotion FAILs (default 30 s). */
  timeoutMs?: number;
  /** How often a request waiting for another promotion of the same model looks again (default 25 ms). */
  pollMs?: number;
}

type Spec = z.infer<typeof promoteSchema>;

/** What a reservation answered: a final outcome, a promotion to apply, or another promotion to wait for. */
type Reserved =
  | { kind: 'answered'; outcome: PromotionOutcome }
  | { kind: 'reserved'; promotion: PromotionRow; verdict: Verdict; intent: PromotionIntent }
  | { kind: 'wait'; promotionId: string; queueKey: string };

export class PromotionService {
  private readonly repository: PromotionRepository;
  private readonly ownerTimeoutMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly db: Database,
    private readonly registryFor: (providerName: string) => ModelRegistryProvider,
    private readonly webhooks: WebhookService,
    private readonly clock: () => Date = () => new Date(),
    /** Called inside the transaction of an applied promotion to PRODUCTION (deploy rules queue their jobs). */
    private readonly onPromotedToProduction?: (tx: Transaction, promoted: PromotedToProduction) => Promise<void>,
    owner: OwnerCallOptions = {},
  ) {
    this.repository = new PromotionRepository(db);
    this.ownerTimeoutMs = owner.timeoutMs ?? DEFAULT_OWNER_TIMEOUT_MS;
    this.pollMs = owner.pollMs ?? 25;
  }

  /**
   * Evaluates every policy in force for the target stage and, when none that BLOCKs fails, changes
   * the stage at the owning registry, archiving the previous PRODUCTION holder. Three steps, so no
   * database transaction is open while the owner is called:
   * 1. reserve: a short transaction holding the model's row lock judges the request and records a
   *    PENDING promotion (the intent, with its idempotency key); a denial is recorded and answered
   *    here, as data;
   * 2. the owner call, bounded by `timeoutMs`;
   * 3. commit: the stages, APPLIED, the audit event and the webhooks in one transaction; or FAILED
   *    with its audit event when the owner refused or did not answer in time.
   * A second promotion of the same model waits for a PENDING one to finish, then is judged against
   * what it left: there is never more than one PRODUCTION holder. An intent left PENDING by a crash
   * is finished by `reconcilePending`.
   */
  async promote(input: unknown, identity: Identity): Promise<PromotionOutcome> {
    const spec = parseInput(promoteSchema, input);
    parseGlobalId(spec.modelVersionId, 'input.modelVersionId', 'modelVersion');
    const dryRun = spec.dryRun ?? false;
    const requestHash = canonicalHash({
      modelVersionId: spec.modelVersionId,
      to: spec.to,
      reason: spec.reason ?? null,
      expectedCurrentVersionId: spec.expectedCurrentVersionId ?? null,
      actor: identity.actor,
    });
    if (dryRun) {
      return this.db.$transaction(
        async (tx) => {
          const { modelId } = await this.repository.lockModelOf(tx, spec.modelVersionId);
          const { verdict } = await this.judge(tx, spec, identity, modelId);
          return outcome(verdict, null, { dryRun, replayed: false });
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
    }
    return this.reserveAndApply(spec, identity, requestHash);
  }

  private readonly queue = new KeyedQueue();

  private async reserveAndApply(spec: Spec, identity: Identity, requestHash: string): Promise<PromotionOutcome> {
    for (;;) {
      let reserved: Reserved;
      try {
        reserved = await this.reserve(spec, identity, requestHash);
      } catch (error) {
        if (spec.idempotencyKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          // The same key raced in from another request and won: answer what it answers.
          continue;
        }
        if (
          !(error instanceof ConflictError) &&
          !(error instanceof NotFoundError) &&
          (error as { code?: string }).code !== 'BAD_USER_INPUT'
        ) {
          await this.recordFailure(spec, identity, requestHash, error);
        }
        throw error;
      }
      if (reserved.kind === 'answered') return reserved.outcome;
      if (reserved.kind === 'wait') {
        // Within this process the requests waiting on one model queue here, in arrival order,
        // rather than all polling the promotion in flight (its PENDING row serializes across processes).
        await this.queue.run(reserved.queueKey, () => this.waitFor(reserved.promotionId));
        continue;
      }
      return this.apply(reserved.promotion, reserved.verdict, reserved.intent, spec, identity);
    }
  }

  /**
   * Step 1: judge under the model's lock; record a denial, or a PENDING intent when allowed. When
   * the catalog is the owner (the built-in registry: nothing to call) an allowed promotion is
   * applied here, in this transaction.
   */
  private reserve(spec: Spec, identity: Identity, requestHash: string): Promise<Reserved> {
    return this.db.$transaction(
      async (tx): Promise<Reserved> => {
        if (spec.idempotencyKey) {
          // A retry sent while the first request is still running waits here (and then for its
          // intent) and answers its promotion instead of finding the stage already moved.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`promotion-idempotency:${spec.idempotencyKey}`}, 0))`;
          const existing = await this.repository.byIdempotencyKey(tx, spec.idempotencyKey);
          if (existing) {
            if (existing.status === PENDING && existing.requestHash === requestHash)
              return { kind: 'wait', promotionId: existing.id, queueKey: existing.id };
            return { kind: 'answered', outcome: this.replayOf(existing, spec.idempotencyKey, requestHash) };
          }
        }
        const { modelId, providerName } = await this.repository.lockModelOf(tx, spec.modelVersionId);
        const inOne = this.registryFor(providerName).catalogIsOwner === true;
        // Only a remote owner's promotion is ever PENDING.
        const inFlight = inOne ? null : await this.repository.pendingOfModel(tx, modelId);
        if (inFlight) return { kind: 'wait', promotionId: inFlight.id, queueKey: modelId };
        const { verdict, candidate, holders } = await this.judge(tx, spec, identity, modelId);
        const base = {
          modelVersionId: candidate.id,
          fromStage: candidate.stage,
          toStage: spec.to,
          actor: identity.actor,
          reason: spec.reason ?? null,
          idempotencyKey: spec.idempotencyKey ?? null,
          requestHash,
        };
        const modelRef = {
          modelName: candidate.model.name,
          modelProvider: candidate.model.providerName,
          version: candidate.version,
        };
        if (verdict.allowed && inOne) {
          const promotion = await this.repository.create(tx, {
            ...base,
            status: verdict.status,
            result: verdict as unknown as Prisma.InputJsonValue,
          });
          await this.repository.recordStage(tx, candidate.id, spec.to);
          if (spec.to === Stage.PRODUCTION)
            for (const holder of holders) await this.repository.recordStage(tx, holder.id, Stage.ARCHIVED);
          await this.announce(tx, promotion, verdict, modelRef, identity);
          return { kind: 'answered', outcome: outcome(verdict, promotion, { dryRun: false, replayed: false }) };
        }
        if (verdict.allowed) {
          const intent: PromotionIntent = {
            modelName: candidate.model.name,
            providerName: candidate.model.providerName,
            candidate: { id: candidate.id, nativeId: candidate.nativeId, version: candidate.version },
            holders:
              spec.to === Stage.PRODUCTION
                ? holders.map((h) => ({ id: h.id, nativeId: h.nativeId, version: h.version }))
                : [],
            deadline: new Date(Date.now() + this.ownerTimeoutMs + COMMIT_GRACE_MS).toISOString(),
          };
          const promotion = await this.repository.create(tx, {
            ...base,
            status: PENDING,
            result: { ...verdict, intent } as unknown as Prisma.InputJsonValue,
          });
          return { kind: 'reserved', promotion, verdict, intent };
        }
        const promotion = await this.repository.create(tx, {
          ...base,
          status: verdict.status,
          result: verdict as unknown as Prisma.InputJsonValue,
        });
        await this.announce(tx, promotion, verdict, modelRef, identity);
        return { kind: 'answered', outcome: outcome(verdict, promotion, { dryRun: false, replayed: false }) };
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }

  /** Steps 2 and 3: the owner, with no transaction open, then the commit (or FAILED). */
  private async apply(
    promotion: PromotionRow,
    verdict: Verdict,
    intent: PromotionIntent,
    spec: Spec,
    identity: Identity,
  ): Promise<PromotionOutcome> {
    const registry = this.registryFor(intent.providerName);
    const ref = (v: IntentVersion) => ({
      id: v.id,
      nativeId: v.nativeId,
      modelName: intent.modelName,
      version: v.version,
    });
    try {
      await withinTime(intent.providerName, 'the stage change', this.ownerTimeoutMs, async () => {
        await registry.transitionStage(ref(intent.candidate), spec.to);
        for (const holder of intent.holders) await registry.transitionStage(ref(holder), Stage.ARCHIVED);
      });
    } catch (error) {
      if (
        error instanceof ConflictError ||
        error instanceof NotFoundError ||
        (error as { code?: string }).code === 'BAD_USER_INPUT'
      ) {
        // The caller's mistake, not the owner's fault: as before, nothing is kept of the attempt.
        await this.repository.withdraw(promotion.id);
      } else {
        await this.fail(promotion.id, verdict, spec.to, identity, (error as Error).message);
      }
      throw error;
    }
    const committed = await this.commit(
      promotion.id,
      verdict,
      intent,
      { [intent.candidate.id]: spec.to, ...Object.fromEntries(intent.holders.map((h) => [h.id, Stage.ARCHIVED])) },
      identity,
    );
    return (
      committed ??
      this.replayOf(
        (await this.repository.byId(this.db, promotion.id))!,
        promotion.idempotencyKey,
        promotion.requestHash,
      )
    );
  }

  /**
   * The owner accepted: the stages, APPLIED, the audit event, the deploy rules and the webhooks in
   * one transaction. Answers null when the promotion was not PENDING any more (a reconciler took it).
   */
  private commit(
    promotionId: string,
    verdict: Verdict,
    intent: PromotionIntent,
    stages: Record<string, Stage>,
    identity: Identity,
    extra: Record<string, unknown> = {},
  ) {
    return this.db.$transaction(
      async (tx) => {
        await this.repository.lockModelOf(tx, intent.candidate.id);
        const applied = await this.repository.finish(tx, promotionId, {
          status: 'APPLIED',
          result: verdict as unknown as Prisma.InputJsonValue,
        });
        if (!applied) return null;
        for (const [id, stage] of Object.entries(stages)) await this.repository.recordStage(tx, id, stage);
        await this.announce(
          tx,
          applied,
          verdict,
          { modelName: intent.modelName, modelProvider: intent.providerName, version: intent.candidate.version },
          identity,
          extra,
        );
        return outcome(verdict, applied, { dryRun: false, replayed: false });
      },
      { timeout: 30_000, maxWait: 30_000 },
    );
  }

  /** The audit event, the deploy rules of a promotion to PRODUCTION, and the webhooks of a recorded verdict. */
  private async announce(
    tx: Transaction,
    promotion: PromotionRow,
    verdict: Verdict,
    model: { modelName: string; modelProvider: string; version: number },
    identity: Identity,
    extra: Record<string, unknown> = {},
  ) {
    const summary = {
      promotionId: promotion.id,
      from: promotion.fromStage,
      to: promotion.toStage,
      status: verdict.status,
      reason: promotion.reason,
      model: model.modelName,
      version: model.version,
      previousHolderId: verdict.previousHolderId,
      evaluations: verdict.evaluations.map((e) => ({ policy: e.policy, version: e.version, outcome: e.outcome })),
      ...extra,
    };
    await recordAudit(tx, {
      actor: identity.actor,
      action: 'promoteModelVersion',
      subjectId: promotion.modelVersionId,
      outcome: verdict.allowed ? 'APPLIED' : 'DENIED',
      requestId: identity.requestId,
      payload: summary,
    });
    if (verdict.allowed && promotion.toStage === Stage.PRODUCTION && this.onPromotedToProduction) {
      await this.onPromotedToProduction(tx, {
        promotionId: promotion.id,
        modelVersionId: promotion.modelVersionId,
        modelName: model.modelName,
        modelProvider: model.modelProvider,
        actor: identity.actor,
      });
    }
    await this.webhooks.enqueue(
      tx,
      verdict.allowed ? WebhookEvent.MODEL_VERSION_PROMOTED : WebhookEvent.PROMOTION_DENIED,
      {
        modelVersionId: promotion.modelVersionId,
        actor: identity.actor,
        ...summary,
      },
    );
  }

  /** The owner refused or did not answer: the catalog is unchanged; the attempt stays FAILED with its audit event. */
  private async fail(promotionId: string, verdict: Verdict, to: Stage, identity: Identity, message: string) {
    try {
      await this.db.$transaction(async (tx) => {
        const failed = await this.repository.finish(tx, promotionId, {
          status: 'FAILED',
          result: { ...verdict, applied: false, status: 'FAILED', error: message } as unknown as Prisma.InputJsonValue,
          // A retry with the same key tries again, as it did when a failed attempt left no row.
          releaseKey: true,
        });
        if (!failed) return;
        await recordAudit(tx, {
          actor: identity.actor,
          action: 'promoteModelVersion',
          subjectId: failed.modelVersionId,
          outcome: 'FAILED',
          requestId: identity.requestId,
          payload: { promotionId, to, error: message },
        });
      });
    } catch (recordError) {
      log.error({ err: recordError, promotionId }, 'could not record a failed promotion');
    }
  }

  /** Waits for a PENDING promotion to be committed or failed; one past its deadline is reconciled here. */
  private async waitFor(promotionId: string): Promise<void> {
    let row: PromotionRow | null = null;
    await waitWhilePending(
      async () => {
        row = await this.repository.byId(this.db, promotionId);
        if (!row) return null;
        const deadline = (row.result as unknown as { intent?: PromotionIntent }).intent?.deadline;
        return { pending: row.status === PENDING, deadline: deadline ? Date.parse(deadline) : null };
      },
      () => this.reconcile(row!),
      this.pollMs,
    );
  }

  /**
   * Finishes promotions left PENDING by a process that died between the owner call and the
   * commit, by reading the owner's state back: the owner holds the candidate in the target stage
   * -> APPLIED (the catalog takes the owner's stages, with the audit event and webhooks); otherwise
   * FAILED. `all` also takes intents whose deadline has not passed (at start-up of the only
   * process); otherwise they are left to the process still running them. Answers how many were finished.
   */
  async reconcilePending(options: { providerName?: string; all?: boolean } = {}): Promise<number> {
    let finished = 0;
    for (const row of await this.repository.pending()) {
      const intent = (row.result as unknown as { intent?: PromotionIntent }).intent;
      if (options.providerName && intent?.providerName !== options.providerName) continue;
      if (!options.all && intent && Date.now() <= Date.parse(intent.deadline)) continue;
      try {
        if (await this.reconcile(row)) finished++;
      } catch (error) {
        log.warn({ err: error, promotionId: row.id }, 'could not reconcile a pending promotion yet');
      }
    }
    return finished;
  }

  /** The latest deadline of the PENDING intents, if any (start-up reconciles again once it passed). */
  async latestPendingDeadline(): Promise<Date | null> {
    const deadlines = (await this.repository.pending())
      .map((row) => (row.result as unknown as { intent?: PromotionIntent }).intent?.deadline)
      .filter((d): d is string => !!d);
    return deadlines.length ? new Date(Math.max(...deadlines.map((d) => Date.parse(d)))) : null;
  }

  private async reconcile(row: PromotionRow): Promise<boolean> {
    const { intent, ...verdict } = row.result as unknown as Verdict & { intent?: PromotionIntent };
    const identity = { actor: row.actor, roles: [] };
    if (!intent) {
      await this.fail(row.id, verdict, row.toStage, identity, 'the promotion was left pending without its intent');
      return true;
    }
    const registry = this.registryFor(intent.providerName);
    const ref = (v: IntentVersion) => ({
      id: v.id,
      nativeId: v.nativeId,
      modelName: intent.modelName,
      version: v.version,
    });
    const read = (v: IntentVersion) =>
      withinTime(intent.providerName, 'reading a stage back', this.ownerTimeoutMs, () => registry.stageOf(ref(v)));
    const stage = await read(intent.candidate);
    if (stage !== row.toStage) {
      await this.fail(
        row.id,
        verdict,
        row.toStage,
        identity,
        `reconciled: the owner holds the version in ${stage ?? 'no stage (unknown version)'}, not ${row.toStage}`,
      );
      return true;
    }
    // The owner took the change: the catalog follows it, the holders as the owner has them now.
    const stages: Record<string, Stage> = { [intent.candidate.id]: row.toStage };
    for (const holder of intent.holders) {
      const held = await read(holder);
      if (held) stages[holder.id] = held;
    }
    return (await this.commit(row.id, verdict, intent, stages, identity, { reconciled: true })) !== null;
  }

  private replayOf(existing: PromotionRow, idempotencyKey: string | null, requestHash: string): PromotionOutcome {
    if (existing.requestHash !== requestHash) {
      throw new ConflictError(
        `idempotency key ${JSON.stringify(idempotencyKey)} was used for a different promotion request`,
      );
    }
    return outcome(existing.result as unknown as Verdict, existing, { dryRun: false, replayed: true });
  }

  /** The verdict: the candidate, who holds the target stage, and every applicable policy's outcome. */
  private async judge(tx: Transaction, spec: Spec, identity: Identity, modelId: string) {
    // The caller holds the model's row lock; the stages read now (a new statement, a new snapshot)
    // are the committed ones.
    const rows = await tx.modelVersion.findMany({
      where: { modelId, OR: [{ id: spec.modelVersionId }, { stage: spec.to }] },
      include: { model: true },
      orderBy: { version: 'desc' },
    });
    const candidate = rows.find((row) => row.id === spec.modelVersionId)!;
    if (candidate.stage === spec.to)
      throw new ConflictError(`${candidate.model.name} version ${candidate.version} is already in ${spec.to}`);
    const holders = rows.filter((row) => row.id !== candidate.id);
    const current = holders[0] ?? null;
    if (spec.expectedCurrentVersionId) {
      const actual = current?.id ?? 'none';
      if (actual !== spec.expectedCurrentVersionId) {
        throw new ConflictError(`expected ${spec.expectedCurrentVersionId} to hold ${spec.to}, but ${actual} does`);
      }
    }
    const gathered = await buildPolicyContext(
      tx,
      candidate,
      current,
      spec.to,
      { name: identity.actor, roles: identity.roles },
      this.clock(),
    );
    const context = gathered.context;
    const policies = gathered.policies.filter((p) => globMatches(p.modelPattern, candidate.model.name));
    const evaluations: EvaluationView[] = policies.map((policy) => {
      const result = evaluatePolicy(policy.expression, context);
      return {
        policy: policy.name,
        version: policy.version,
        severity: policy.severity,
        outcome: result.outcome,
        message: policy.message,
        error: result.outcome === 'ERRORED' ? result.error : null,
      };
    });
    const blocking = evaluations.filter((e) => e.severity === 'BLOCK' && e.outcome !== 'PASSED');
    const byName = new Map(policies.map((p) => [p.name, p]));
    // Denied only for want of approvals: waiting, not refused.
    const waitsForApprovals =
      blocking.length > 0 &&
      blocking.every((e) => e.outcome === 'FAILED' && /\bapprovals\b/.test(byName.get(e.policy)!.expression));
    const verdict: Verdict = {
      allowed: blocking.length === 0,
      applied: blocking.length === 0 && !spec.dryRun,
      status: blocking.length === 0 ? 'APPLIED' : waitsForApprovals ? 'PENDING_APPROVAL' : 'DENIED',
      evaluations,
      previousHolderId: current?.id ?? null,
    };
    return { verdict, candidate, holders };
  }

  /** A promotion the owner refused or could not take: the catalog is unchanged; the attempt is recorded. */
  private async recordFailure(spec: Spec, identity: Identity, requestHash: string, error: unknown) {
    try {
      await this.db.$transaction(async (tx) => {
        const version = await tx.modelVersion.findUnique({ where: { id: spec.modelVersionId } });
        if (!version) return;
        const message = (error as Error).message;
        await tx.promotion.create({
          data: {
            modelVersionId: version.id,
            fromStage: version.stage,
            toStage: spec.to,
            status: 'FAILED',
            actor: identity.actor,
            reason: spec.reason ?? null,
            requestHash,
            result: {
              allowed: true,
              applied: false,
              status: 'FAILED',
              evaluations: [],
              previousHolderId: null,
              error: message,
            },
          },
        });
        await recordAudit(tx, {
          actor: identity.actor,
          action: 'promoteModelVersion',
          subjectId: version.id,
          outcome: 'FAILED',
          requestId: identity.requestId,
          payload: { to: spec.to, error: message },
        });
      });
    } catch (recordError) {
      log.error({ err: recordError }, 'could not record a failed promotion');
    }
  }

  byVersionIds(ids: readonly string[]) {
    return this.db.promotion.findMany({
      where: { modelVersionId: { in: [...ids] } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  list(modelVersionId: string | null, first: number) {
    return this.db.promotion.findMany({
      where: modelVersionId ? { modelVersionId } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first,
    });
  }
}
