import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import type { CairnContext } from '../../shared/context.ts';
import { FeatureView } from '../feature-view/type.ts';
import { featureLoaders } from '../loaders.ts';
import { Feature, FeatureIncident } from './type.ts';

@Resolver(() => Feature)
export class FeatureResolver {
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
