import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import { Feature, FeatureIncident } from '../feature/type.ts';
import { featureLoaders } from '../loaders.ts';
import { ReportFeatureIncidentInput, ResolveFeatureIncidentInput } from './type.ts';

@Resolver(() => FeatureIncident)
export class FeatureIncidentResolver {
  @Mutation(() => FeatureIncident, {
    description: 'Opens an incident on a feature; open incidents feed promotion policies.',
  })
  reportFeatureIncident(
    @Arg('input', () => ReportFeatureIncidentInput) input: ReportFeatureIncidentInput,
    @Ctx() { services, actor }: CairnContext,
  ) {
    return services.features.incidents.report(input, actor);
  }

  @Mutation(() => FeatureIncident, {
    description: 'Resolves an incident; resolving a resolved one answers it unchanged.',
  })
  resolveFeatureIncident(
    @Arg('input', () => ResolveFeatureIncidentInput, { nullable: true }) input: ResolveFeatureIncidentInput | null,
    @Arg('id', () => ID, { nullable: true, deprecationReason: USE_INPUT }) id: string | null,
    @Ctx() { services, actor }: CairnContext,
  ) {
    const given = inputOrDeprecatedArguments(input, { id }, ['id']);
    return services.features.incidents.resolve(given.id, actor);
  }

  @FieldResolver(() => Feature)
  async feature(@Root() incident: FeatureIncident, @Ctx() context: CairnContext) {
    const feature = await featureLoaders(context).feature.load(incident.featureId);
    if (!feature) throw new NotFoundError('Feature', incident.featureId);
    return feature;
  }
}
