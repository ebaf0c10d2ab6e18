import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import type { Promotion as PromotionRow } from '../../../prisma/generated/client.ts';
import type { CairnContext } from '../../shared/context.ts';
import { modelLoaders } from '../loaders.ts';
import { ModelVersion } from '../model-version/type.ts';
import { Promotion, PromoteModelVersionInput, PromotionResult } from './type.ts';

export function promotionView(row: PromotionRow): Promotion {
  return {
    id: row.id,
    from: row.fromStage,
    to: row.toStage,
    status: row.status,
    actor: row.actor,
    reason: row.reason,
    createdAt: row.createdAt,
    modelVersionId: row.modelVersionId,
  };
}

@Resolver(() => Promotion)
export class PromotionResolver {
  @Mutation(() => PromotionResult, {
    description:
      'Evaluates the policies in force and, if none that BLOCKs fails, moves the version (the previous PRODUCTION holder is archived). A denial is data.',
  })
  async promoteModelVersion(
    @Arg('input', () => PromoteModelVersionInput) input: PromoteModelVersionInput,
    @Ctx() { services, actor, roles, requestId }: CairnContext,
  ): Promise<PromotionResult> {
    const result = await services.models.promotions.promote(input, { actor, roles, requestId });
    return { ...result, promotion: result.promotion && promotionView(result.promotion) };
  }

  @Query(() => [Promotion], { description: 'Promotion attempts, newest first; of one version when given.' })
  async promotions(
    @Arg('modelVersionId', () => ID, { nullable: true }) modelVersionId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() { services }: CairnContext,
  ) {
    return (await services.models.promotions.list(modelVersionId, Math.min(Math.max(first, 1), 500))).map(
      promotionView,
    );
  }

  @FieldResolver(() => ModelVersion)
  async modelVersion(@Root() promotion: Promotion, @Ctx() context: CairnContext) {
    const version = await modelLoaders(context).modelVersion.load(promotion.modelVersionId);
    if (!version) throw new NotFoundError('ModelVersion', promotion.modelVersionId);
    return version;
  }
}
