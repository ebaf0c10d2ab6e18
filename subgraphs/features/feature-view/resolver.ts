import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { Feature } from '../feature/type.ts';
import { featureLoaders } from '../loaders.ts';
import { ProviderReference } from '../../shared/provider-reference.ts';
import { ApplyFeatureViewInput, FeatureView, FeatureViewFilter, FeatureViewPage } from './type.ts';

@Resolver(() => FeatureView)
export class FeatureViewResolver {
  @Query(() => FeatureView, {
    nullable: true,
    description:
      'The latest version, or the one asked for, of the view of that name at `provider`. Without `provider`: the one ' +
      'provider holding that name; BAD_USER_INPUT naming them when several do; null when none does.',
  })
  featureView(
    @Arg('name', () => String) name: string,
    @Arg('version', () => Int, { nullable: true }) version: number | null,
    @Arg('provider', () => String, { nullable: true, description: 'Provider instance name, e.g. builtin' })
    provider: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.features.featureViews.get(name, version, provider);
  }

  @Query(() => FeatureViewPage, {
    description: 'Feature views by name (latest versions unless filter.allVersions), paged.',
  })
  featureViews(
    @Arg('filter', () => FeatureViewFilter, { nullable: true }) filter: FeatureViewFilter | null,
    @Arg('limit', () => Int, { defaultValue: 50 }) limit: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.features.featureViews.list(filter, limit, offset);
  }

  @Mutation(() => FeatureView, { description: 'Same definition -> same version; a changed definition -> version + 1.' })
  applyFeatureView(
    @Arg('input', () => ApplyFeatureViewInput) input: ApplyFeatureViewInput,
    @Ctx() { services, actor }: CairnContext,
  ) {
    return services.features.featureViews.apply(input, actor);
  }

  @FieldResolver(() => [Feature])
  features(@Root() view: FeatureView, @Ctx() context: CairnContext) {
    return featureLoaders(context).featuresOfView.load(view.id);
  }

  @FieldResolver(() => ProviderReference)
  provider(@Root() view: FeatureView): ProviderReference {
    return { name: view.providerName };
  }
}
