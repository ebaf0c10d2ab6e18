import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { ProviderReference } from '../../shared/provider-reference.ts';
import { modelLoaders } from '../loaders.ts';
import { ModelVersion, RegisteredModel } from '../model-version/type.ts';

@Resolver(() => RegisteredModel)
export class RegisteredModelResolver {
  @Query(() => RegisteredModel, {
    nullable: true,
    description: 'A model by name; name the provider when several have one of that name.',
  })
  model(
    @Arg('name', () => String) name: string,
    @Arg('provider', () => String, { nullable: true }) provider: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.models.versions.modelByName(name, provider);
  }

  @FieldResolver(() => [ModelVersion])
  versions(@Root() model: RegisteredModel, @Ctx() context: CairnContext) {
    return modelLoaders(context).versionsOfModel.load(model.id);
  }

  @FieldResolver(() => ProviderReference)
  provider(@Root() model: RegisteredModel): ProviderReference {
    return { name: model.providerName };
  }
}

export const modelReferences = {
  ModelVersion: {
    __resolveReference: (ref: { id: string }, context: CairnContext) => modelLoaders(context).modelVersion.load(ref.id),
  },
  RegisteredModel: {
    __resolveReference: (ref: { id: string }, context: CairnContext) => modelLoaders(context).model.load(ref.id),
  },
};
