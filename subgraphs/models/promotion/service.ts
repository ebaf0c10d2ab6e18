import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Database, Transaction } from '../../../platform/database.ts';
import { ConflictError, NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import { log } from '../../../platform/log.ts';
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
  return createHash('sha256').update(JSON.stringify(value, Object.keys(value).sort())).digest('hex');
}

function outcome(verdict: Verdict, promotion: PromotionRow | null, flags: { dryRun: boolean; replayed: boolean }): PromotionOutcome {
  const failed = verdict.evaluations.filter((e) => e.outcome !== 'PASSED');
  const view = (e: EvaluationView) => ({ policy: e.policy, message: e.error ? `${e.message} (${e.error})` : e.message, severity: e.severity });
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

export class PromotionService {
  constructor(
    private readonly db: Database,
    private readonly registryFor: (providerName: string) => ModelRegistryProvider,
    private readonly webhooks: WebhookService,
    private readonly clock: () => Date = () => new Date(),
    /** Called inside the transaction of an applied promotion to PRODUCTION (deploy rules queue their jobs). */
    private readonly onPromotedToProduction?: (tx: Transaction, promoted: PromotedToProduction) => Promise<void>,
  ) {}

  /**
   * Evaluates every policy in force for the target stage and, when none that BLOCKs fails,
   * changes the stage through the owning registry, archives the previous PRODUCTION holder, and
   * records the promotion, its audit event and its webhooks in one transaction. Promotions of one
   * model are serialized by a lock on the model's row: there is never more than one PRODUCTION
   * holder, and no update is lost. A denial is recorded and answered as data.
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
    if (spec.idempotencyKey && !dryRun) {
      const replay = await this.replay(this.db, spec.idempotencyKey, requestHash);
      if (replay) return replay;
    }
    try {
      return await this.db.$transaction(
        async (tx) => {
          if (spec.idempotencyKey && !dryRun) {
            // A retry sent while the first request is still running waits here for it to commit,
            // then answers its promotion instead of finding the stage already moved.
            await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`promotion-idempotency:${spec.idempotencyKey}`}, 0))`;
            const replay = await this.replay(tx, spec.idempotencyKey, requestHash);
            if (replay) return replay;
          }
          const { verdict, candidate, holders } = await this.judge(tx, spec, identity);
          if (dryRun) return outcome(verdict, null, { dryRun, replayed: false });
          if (verdict.allowed) {
            const registry = this.registryFor(candidate.model.providerName);
            await registry.transitionStage(tx, { id: candidate.id, nativeId: candidate.nativeId, modelName: candidate.model.name, version: candidate.version }, spec.to);
            if (spec.to === Stage.PRODUCTION) {
              for (const holder of holders) {
                await registry.transitionStage(tx, { id: holder.id, nativeId: holder.nativeId, modelName: candidate.model.name, version: holder.version }, Stage.ARCHIVED);
              }
            }
          }
          const promotion = await tx.promotion.create({
            data: {
              modelVersionId: candidate.id,
              fromStage: candidate.stage,
              toStage: spec.to,
              status: verdict.status,
              actor: identity.actor,
              reason: spec.reason ?? null,
              idempotencyKey: spec.idempotencyKey ?? null,
              requestHash,
              result: verdict as unknown as Prisma.InputJsonValue,
            },
          });
          const summary = {
            promotionId: promotion.id,
            from: candidate.stage,
            to: spec.to,
            status: verdict.status,
            reason: spec.reason ?? null,
            model: candidate.model.name,
            version: candidate.version,
            previousHolderId: verdict.previousHolderId,
            evaluations: verdict.evaluations.map((e) => ({ policy: e.policy, version: e.version, outcome: e.outcome })),
          };
          await recordAudit(tx, {
            actor: identity.actor,
            action: 'promoteModelVersion',
            subjectId: candidate.id,
            outcome: verdict.allowed ? 'APPLIED' : 'DENIED',
            requestId: identity.requestId,
            payload: summary,
          });
          if (verdict.allowed && spec.to === Stage.PRODUCTION && this.onPromotedToProduction) {
            await this.onPromotedToProduction(tx, {
              promotionId: promotion.id,
              modelVersionId: candidate.id,
              modelName: candidate.model.name,
              modelProvider: candidate.model.providerName,
              actor: identity.actor,
            });
          }
          await this.webhooks.enqueue(tx, verdict.allowed ? WebhookEvent.MODEL_VERSION_PROMOTED : WebhookEvent.PROMOTION_DENIED, {
            modelVersionId: candidate.id,
            actor: identity.actor,
            ...summary,
          });
          return outcome(verdict, promotion, { dryRun, replayed: false });
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
    } catch (error) {
      if (spec.idempotencyKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        // The same key raced in from another request and won: answer what it answered.
        const replay = await this.replay(this.db, spec.idempotencyKey, requestHash);
        if (replay) return replay;
      }
      if (!dryRun && !(error instanceof ConflictError) && !(error instanceof NotFoundError) && (error as { code?: string }).code !== 'BAD_USER_INPUT') {
        await this.recordFailure(spec, identity, requestHash, error);
      }
      throw error;
    }
  }

  /** The verdict: the candidate, who holds the target stage, and every applicable policy's outcome. */
  private async judge(tx: Transaction, spec: z.infer<typeof promoteSchema>, identity: Identity) {
    // Lock the model's row (promotions of one model go one at a time), then read the stages: a new
    // statement, a new snapshot, so they are the committed ones.
    const [locked] = await tx.$queryRaw<{ id: string }[]>`
      SELECT m.id FROM registered_model m JOIN model_version v ON v.model_id = m.id
      WHERE v.id = ${spec.modelVersionId} FOR UPDATE OF m`;
    if (!locked) throw new NotFoundError('ModelVersion', spec.modelVersionId);
    const rows = await tx.modelVersion.findMany({
      where: { modelId: locked.id, OR: [{ id: spec.modelVersionId }, { stage: spec.to }] },
      include: { model: true },
      orderBy: { version: 'desc' },
    });
    const candidate = rows.find((row) => row.id === spec.modelVersionId)!;
    if (candidate.stage === spec.to) throw new ConflictError(`${candidate.model.name} version ${candidate.version} is already in ${spec.to}`);
    const holders = rows.filter((row) => row.id !== candidate.id);
    const current = holders[0] ?? null;
    if (spec.expectedCurrentVersionId) {
      const actual = current?.id ?? 'none';
      if (actual !== spec.expectedCurrentVersionId) {
        throw new ConflictError(`expected ${spec.expectedCurrentVersionId} to hold ${spec.to}, but ${actual} does`);
      }
    }
    const gathered = await buildPolicyContext(tx, candidate, current, spec.to, { name: identity.actor, roles: identity.roles }, this.clock());
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
    const waitsForApprovals = blocking.length > 0 && blocking.every((e) => e.outcome === 'FAILED' && /\bapprovals\b/.test(byName.get(e.policy)!.expression));
    const verdict: Verdict = {
      allowed: blocking.length === 0,
      applied: blocking.length === 0 && !spec.dryRun,
      status: blocking.length === 0 ? 'APPLIED' : waitsForApprovals ? 'PENDING_APPROVAL' : 'DENIED',
      evaluations,
      previousHolderId: current?.id ?? null,
    };
    return { verdict, candidate, holders };
  }

  private async replay(client: Database | Transaction, idempotencyKey: string, requestHash: string): Promise<PromotionOutcome | null> {
    const existing = await client.promotion.findUnique({ where: { idempotencyKey } });
    if (!existing) return null;
    if (existing.requestHash !== requestHash) {
      throw new ConflictError(`idempotency key ${JSON.stringify(idempotencyKey)} was used for a different promotion request`);
    }
    return outcome(existing.result as unknown as Verdict, existing, { dryRun: false, replayed: true });
  }

  /** A promotion the owner refused or could not take: the catalog is unchanged; the attempt is recorded. */
  private async recordFailure(spec: z.infer<typeof promoteSchema>, identity: Identity, requestHash: string, error: unknown) {
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
            result: { allowed: true, applied: false, status: 'FAILED', evaluations: [], previousHolderId: null, error: message },
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
    return this.db.promotion.findMany({ where: { modelVersionId: { in: [...ids] } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
  }

  list(modelVersionId: string | null, first: number) {
    return this.db.promotion.findMany({
      where: modelVersionId ? { modelVersionId } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first,
    });
  }
}
