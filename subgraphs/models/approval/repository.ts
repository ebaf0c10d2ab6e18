import type { Database, Transaction } from '../../../platform/database.ts';
import { ConflictError } from '../../../platform/errors.ts';
import { Prisma } from '../../../prisma/generated/client.ts';

export class ApprovalRepository {
  constructor(private readonly db: Database) {}

  /**
   * Inserts one approval. The unique index on (version, target stage, actor) decides, so requests
   * racing in together store one row; the others get a ConflictError.
   */
  async create(tx: Transaction, data: Prisma.ApprovalUncheckedCreateInput) {
    try {
      return await tx.approval.create({ data });
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
        throw new ConflictError(`${data.actor} already approved this version for ${data.toStage}`, { cause: error });
      }
      throw error;
    }
  }

  byVersionIds(ids: readonly string[]) {
    return this.db.approval.findMany({ where: { modelVersionId: { in: [...ids] } }, orderBy: { createdAt: 'asc' } });
  }
}
