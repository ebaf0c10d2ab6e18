import type { Database, Transaction } from '../../../platform/database.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import type { Prisma, Promotion as PromotionRow } from '../../../prisma/generated/client.ts';
import type { Stage } from '../../../prisma/generated/enums.ts';

/** A version the owner is asked to move, as the intent remembers it. */
export interface IntentVersion {
  id: string;
  nativeId: string;
  version: number;
}

/**
 * What a PENDING promotion asked of the owner, kept in its row until it is committed or failed:
 * enough for the process that made it, or a reconciler after a crash, to finish it.
 */
export interface PromotionIntent {
  modelName: string;
  providerName: string;
  candidate: IntentVersion;
  /** The versions holding the target stage, archived along with a promotion to PRODUCTION. */
  holders: IntentVersion[];
  /** After this instant the owner call is over (its time bound passed): only a reconciler finishes it. */
  deadline: string;
}

export const PENDING = 'PENDING';

/** Promotions and the stage writes they commit: the only place a promotion touches Prisma. */
export class PromotionRepository {
  constructor(private readonly db: Database) {}

  /**
   * Locks the version's model row for the rest of the transaction (promotions of one model go one
   * at a time) and answers the model's ID and provider; NOT_FOUND for an unknown version.
   */
  async lockModelOf(tx: Transaction, modelVersionId: string): Promise<{ modelId: string; providerName: string }> {
    const [locked] = await tx.$queryRaw<{ modelId: string; providerName: string }[]>`
      SELECT m.id AS "modelId", m.provider_name AS "providerName"
      FROM registered_model m JOIN model_version v ON v.model_id = m.id
      WHERE v.id = ${modelVersionId} FOR UPDATE OF m`;
    if (!locked) throw new NotFoundError('ModelVersion', modelVersionId);
    return locked;
  }

  /** The promotion of the model that is between its reservation and its commit, if any. */
  async pendingOfModel(tx: Transaction, modelId: string): Promise<{ id: string } | null> {
    const [row] = await tx.$queryRaw<{ id: string }[]>`
      SELECT p.id FROM promotion p JOIN model_version v ON v.id = p.model_version_id
      WHERE v.model_id = ${modelId} AND p.status = ${PENDING} LIMIT 1`;
    return row ?? null;
  }

  byId(client: Database | Transaction, id: string) {
    return client.promotion.findUnique({ where: { id } });
  }

  byIdempotencyKey(client: Database | Transaction, idempotencyKey: string) {
    return client.promotion.findUnique({ where: { idempotencyKey } });
  }

  /** PENDING promotions, oldest first, with the provider that owns their model. */
  pending(): Promise<PromotionRow[]> {
    return this.db.promotion.findMany({ where: { status: PENDING }, orderBy: { createdAt: 'asc' } });
  }

  create(tx: Transaction, data: Prisma.PromotionUncheckedCreateInput) {
    return tx.promotion.create({ data });
  }

  /** Moves a promotion on from PENDING; answers null when it was not PENDING any more (someone else finished it). */
  async finish(
    tx: Transaction,
    id: string,
    data: { status: string; result: Prisma.InputJsonValue; releaseKey?: boolean },
  ): Promise<PromotionRow | null> {
    const { count } = await tx.promotion.updateMany({
      where: { id, status: PENDING },
      data: { status: data.status, result: data.result, ...(data.releaseKey ? { idempotencyKey: null } : {}) },
    });
    return count ? tx.promotion.findUniqueOrThrow({ where: { id } }) : null;
  }

  /** Withdraws a reservation the owner refused as the caller's mistake: nothing is kept of it. */
  async withdraw(id: string): Promise<void> {
    await this.db.promotion.deleteMany({ where: { id, status: PENDING } });
  }

  /** The catalog's record of a version's stage. */
  async recordStage(tx: Transaction, modelVersionId: string, stage: Stage): Promise<void> {
    await tx.modelVersion.updateMany({ where: { id: modelVersionId }, data: { stage } });
  }
}
