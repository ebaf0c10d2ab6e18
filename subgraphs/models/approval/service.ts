import { z } from 'zod';
import type { Database } from '../../../platform/database.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import { Stage } from '../../../prisma/generated/enums.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { parseInput } from '../../../platform/validate.ts';
import { ApprovalRepository } from './repository.ts';

const approveSchema = z.object({
  modelVersionId: z.string().refine((id) => id.startsWith('modelVersion:'), 'must be a model version ID'),
  to: z.enum([Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED], { message: 'must be STAGING, PRODUCTION or ARCHIVED' }),
  comment: z.string().max(2000).nullish(),
});

export class ApprovalService {
  private readonly repository: ApprovalRepository;

  constructor(private readonly db: Database) {
    this.repository = new ApprovalRepository(db);
  }

  /** Records the actor's approval of one version for one target stage (once per actor and stage). */
  async approve(input: unknown, identity: { actor: string; roles: string[]; requestId?: string }) {
    const spec = parseInput(approveSchema, input);
    parseGlobalId(spec.modelVersionId, 'input.modelVersionId', 'modelVersion');
    return this.db.$transaction(async (tx) => {
      const version = await tx.modelVersion.findUnique({ where: { id: spec.modelVersionId }, select: { id: true } });
      if (!version) throw new NotFoundError('ModelVersion', spec.modelVersionId);
      const approval = await this.repository.create(tx, {
        modelVersionId: spec.modelVersionId,
        toStage: spec.to,
        actor: identity.actor,
        role: identity.roles[0] ?? null,
        comment: spec.comment ?? null,
      });
      await recordAudit(tx, {
        actor: identity.actor,
        action: 'approveModelVersion',
        subjectId: spec.modelVersionId,
        requestId: identity.requestId,
        payload: { to: spec.to, roles: identity.roles, comment: spec.comment ?? null },
      });
      return approval;
    });
  }

  byVersionIds(ids: readonly string[]) {
    return this.repository.byVersionIds(ids);
  }
}
