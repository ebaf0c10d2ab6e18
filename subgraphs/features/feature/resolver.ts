import { Arg, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { connectionOf, MAX_PAGE } from '../../shared/connection.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import type { CairnContext } from '../../shared/context.ts';
import { FeatureView } from '../feature-view/type.ts';
import { featureLoaders } from '../loaders.ts';
import { Feature, FeatureIncident } from './type.ts';

@InputType({ description: 'Which features: every field given must hold.' })
export class FeatureFilter {
  @Field(() => String, { nullable: true, description: 'Feature names starting with this.' })
  namePrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'Provider instance name.' })
  provider?: string | null;

  @Field(() => String, { nullable: true, description: 'Features of the view of this name.' })
  featureView?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Every version's features, not only the latest view's." })
  allVersions?: boolean | null;
}

@ObjectType({ description: 'A page of features.' })
export class FeatureConnection extends connectionOf(Feature, 'Feature') {}

@Resolver(() => Feature)
export class FeatureResolver {
  @Query(() => FeatureConnection, {
    description: `Features of the latest version of every view, by ID; \`first\` at most ${MAX_PAGE}.`,
  })
  features(
    @Arg('filter', () => FeatureFilter, { nullable: true }) filter: FeatureFilter | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.features.features.list(filter, first, after);
  }

  @Query(() => Feature, { nullable: true })
  feature(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'feature');
    return featureLoaders(context).feature.load(id);
  }

  @FieldResolver(() => FeatureView)
  async featureView(@Root() feature: Feature, @Ctx() context: CairnContext) {
    const view = await featureLoaders(context).featureView.load(feature.featureViewId);
    if (!view) throw new NotFoundError('FeatureView', feature.featureViewId);
    return view;
  }

  @FieldResolver(() => [FeatureIncident])
  openIncidents(@Root() feature: Feature, @Ctx() context: CairnContext) {
    return featureLoaders(context).openIncidents.load(feature.id);
  }
}

export const featureReferences = {
  Feature: {
    __resolveReference: (ref: { id: string }, context: CairnContext) => featureLoaders(context).feature.load(ref.id),
  },
  FeatureView: {
    __resolveReference: (ref: { id: string }, context: CairnContext) =>
      featureLoaders(context).featureView.load(ref.id),
  },
  Dataset: {
    __resolveReference: (ref: { id: string }, context: CairnContext) => featureLoaders(context).dataset.load(ref.id),
  },
};
