import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../adapters/core/errors.ts';
import { parseGlobalId } from '../../../adapters/core/ids.ts';
import type { CairnContext } from '../../shared/context.ts';
import { DatasetReference } from '../dataset/type.ts';
import { FeatureReference } from '../feature/type.ts';
import { modelLoaders } from '../loaders.ts';
import { ModelVersion, RegisterModelVersionInput, RegisteredModel } from './type.ts';

@Resolver(() => ModelVersion)
export class ModelVersionResolver {
  @Query(() => ModelVersion, { nullable: true })
  modelVersion(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'modelVersion');
    return modelLoaders(context).modelVersion.load(id);
  }

  @Mutation(() => ModelVersion, { description: 'Registers the next version of a model (the model is created with its first version).' })
  registerModelVersion(@Arg('input', () => RegisterModelVersionInput) input: RegisterModelVersionInput, @Ctx() { services, actor }: CairnContext) {
    return services.models.register(input, actor);
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
}

@Resolver(() => FeatureReference)
export class FeatureUsageResolver {
  @FieldResolver(() => [ModelVersion], {
    nullable: true,
    description: 'Model versions registered as using this feature (null, with an error, when the models subgraph is unavailable).',
  })
  usedBy(@Root() feature: FeatureReference, @Ctx() context: CairnContext) {
    return modelLoaders(context).versionsUsingFeature.load(feature.id);
  }
}
