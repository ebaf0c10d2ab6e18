import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { FeatureVector } from './type.ts';

@Resolver(() => FeatureVector)
export class OnlineFeatureResolver {
  @Query(() => [FeatureVector], {
    description: 'Latest feature values per entity from the online store, in one round trip.',
  })
  onlineFeatures(
    @Arg('featureView', () => String) featureView: string,
    @Arg('entityKeys', () => [String]) entityKeys: string[],
    @Arg('features', () => [String], { nullable: true }) features: string[] | null,
    @Arg('provider', () => String, {
      nullable: true,
      description: 'Provider instance holding the view; needed only when several hold a view of that name',
    })
    provider: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.features.online.lookup(featureView, entityKeys, features, provider);
  }
}
