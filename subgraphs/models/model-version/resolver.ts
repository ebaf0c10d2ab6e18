import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import type { CairnContext } from '../../shared/context.ts';
import { Approval } from '../approval/type.ts';
import { approvalView } from '../approval/resolver.ts';
import { DatasetReference } from '../dataset/type.ts';
import { FeatureReference } from '../feature/type.ts';
import { modelLoaders } from '../loaders.ts';
import { promotionView } from '../promotion/resolver.ts';
import { Promotion } from '../promotion/type.ts';
import {
  ModelVersion,
  ModelVersionFilter,
  ModelVersionPage,
  RegisterModelVersionInput,
  RegisteredModel,
  SetModelAliasInput,
} from './type.ts';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true })
  modelVersion(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'modelVersion');
    return modelLoaders(context).modelVersion.load(id);
  }

  @Query(() => ModelVersionPage, {
    description: 'Search versions of every provider: by model, stage, tag, provider and metric bounds; newest first.',
  })
  modelVersions(
    @Arg('filter', () => ModelVersionFilter, { nullable: true }) filter: ModelVersionFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.models.versions.search(filter, first, after);
  }

  @Mutation(() => ModelVersion, {
    description: 'Registers the next version of a model (the model is created with its first version).',
  })
  registerModelVersion(
    @Arg('input', () => RegisterModelVersionInput) input: RegisterModelVersionInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.models.versions.register(input, actor, requestId);
  }

  @Mutation(() => ModelVersion, {
    description: "Gives an alias (champion, challenger, …) to a version; the model's other versions lose it.",
  })
  setModelAlias(
    @Arg('input', () => SetModelAliasInput) input: SetModelAliasInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.models.versions.setAlias(input, actor, requestId);
  }

  @FieldResolver(() => RegisteredModel)
  async model(@Root() version: ModelVersion, @Ctx() context: CairnContext) {
    const model = await modelLoaders(context).model.load(version.modelId);
    if (!model) throw new NotFoundError('RegisteredModel', version.modelId);
    return model;
  }

  @FieldResolver(() => [FeatureReference])
  async features(@Root() version: ModelVersion, @Ctx() context: CairnContext): Promise<FeatureReference[]> {
    const links = await modelLoaders(context).featuresOfVersion.load(version.id);
    return links.map((link) => ({ id: link.featureId }));
  }

  @FieldResolver(() => DatasetReference, { nullable: true })
  trainingDataset(@Root() version: ModelVersion): DatasetReference | null {
    return version.trainingDatasetId ? { id: version.trainingDatasetId } : null;
  }

  @FieldResolver(() => ModelVersion, { nullable: true, description: 'The version this one was fine-tuned from.' })
  parentVersion(@Root() version: ModelVersion, @Ctx() context: CairnContext) {
    return version.parentVersionId ? modelLoaders(context).modelVersion.load(version.parentVersionId) : null;
  }

  @FieldResolver(() => [Approval])
  async approvals(@Root() version: ModelVersion, @Ctx() context: CairnContext) {
    return (await modelLoaders(context).approvalsOfVersion.load(version.id)).map(approvalView);
  }

  @FieldResolver(() => [Promotion], { description: 'Promotion attempts of this version, newest first.' })
  async promotions(@Root() version: ModelVersion, @Ctx() context: CairnContext) {
    return (await modelLoaders(context).promotionsOfVersion.load(version.id)).map(promotionView);
  }
}

@Resolver(() => FeatureReference)
export class FeatureUsageResolver {
  @FieldResolver(() => [ModelVersion], {
    nullable: true,
    description:
      'Model versions registered as using this feature (null, with an error, when the models subgraph is unavailable).',
  })
  usedBy(@Root() feature: FeatureReference, @Ctx() context: CairnContext) {
    return modelLoaders(context).versionsUsingFeature.load(feature.id);
  }
}
