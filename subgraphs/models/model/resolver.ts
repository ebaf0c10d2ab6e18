import { Arg, Ctx, Field, FieldResolver, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { connectionOf, MAX_PAGE } from '../../shared/connection.ts';
import type { CairnContext } from '../../shared/context.ts';
import { ProviderReference } from '../../shared/provider-reference.ts';
import { modelLoaders } from '../loaders.ts';
import { ModelVersion, RegisteredModel } from '../model-version/type.ts';

@InputType({ description: 'Which models: every field given must hold.' })
export class ModelFilter {
  @Field(() => String, { nullable: true, description: 'Names starting with this.' })
  namePrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'Provider instance name.' })
  provider?: string | null;

  @Field(() => String, { nullable: true })
  tag?: string | null;
}

@ObjectType({ description: 'A page of models.' })
export class RegisteredModelConnection extends connectionOf(RegisteredModel, 'RegisteredModel') {}

@Resolver(() => RegisteredModel)
export class RegisteredModelResolver {
  @Query(() => RegisteredModelConnection, {
    description: `Models of every provider, by provider then name; \`first\` at most ${MAX_PAGE}.`,
  })
  models(
    @Arg('filter', () => ModelFilter, { nullable: true }) filter: ModelFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.models.versions.models(filter, first, after);
  }

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
