import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { InputError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import { ProviderReference } from '../../shared/provider-reference.ts';
import { EndpointDeployRule, RemoveEndpointDeployRuleInput, SetEndpointDeployRuleInput } from '../deploy-rule/type.ts';
import { Deployment } from '../deployment/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import { Rollout } from '../rollout/type.ts';
import { RollbackEndpointInput, SetTrafficSplitInput, TrafficChange, TrafficShare } from '../traffic/type.ts';
import { CreateEndpointInput, Endpoint } from './type.ts';

function bounded(first: number, path: string, max = 500): number {
  if (!Number.isInteger(first) || first < 1 || first > max)
    throw new InputError([{ path, message: `must be 1..${max}` }]);
  return first;
}

@Resolver(() => Endpoint)
export class EndpointResolver {
  @Query(() => Endpoint, { nullable: true })
  endpoint(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'endpoint');
    return deploymentLoaders(context).endpoint.load(id);
  }

  @Query(() => [Endpoint], {
    description: 'Endpoints of every provider, or of one provider instance, by provider then name; paged.',
  })
  endpoints(
    @Arg('provider', () => String, { nullable: true }) provider: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.deployments.endpoints.list(provider, first, offset);
  }

  @Mutation(() => Endpoint, {
    description: 'Creates an endpoint at its owner (default the built-in router) and in the catalog.',
  })
  createEndpoint(
    @Arg('input', () => CreateEndpointInput) input: CreateEndpointInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.deployments.endpoints.create(input, { actor, requestId });
  }

  @Mutation(() => Endpoint, {
    description:
      'Sets the whole split: live shares integers summing to 100, shadow shares separate. Invalid: BAD_USER_INPUT, nothing changed.',
  })
  setTrafficSplit(
    @Arg('input', () => SetTrafficSplitInput) input: SetTrafficSplitInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.deployments.traffic.setSplit(input, { actor, requestId });
  }

  @Mutation(() => Endpoint, {
    description:
      '100% of live traffic back to the stable deployment (the last that held 100%); the rollout in progress ends ROLLED_BACK.',
  })
  rollbackEndpoint(
    @Arg('input', () => RollbackEndpointInput, { nullable: true }) input: RollbackEndpointInput | null,
    @Arg('endpointId', () => ID, { nullable: true, deprecationReason: USE_INPUT }) endpointId: string | null,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    const given = inputOrDeprecatedArguments(input, { endpointId }, ['endpointId']);
    return services.deployments.traffic.rollback(given.endpointId, { actor, requestId });
  }

  @Mutation(() => EndpointDeployRule, {
    description:
      "Deploy the PRODUCTION version of a model here whenever one is promoted (replaces the endpoint's rule).",
  })
  setEndpointDeployRule(
    @Arg('input', () => SetEndpointDeployRuleInput) input: SetEndpointDeployRuleInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.deployments.rules.set(input, { actor, requestId });
  }

  @Mutation(() => Endpoint, { description: "Removes the endpoint's deploy rule (promotions no longer deploy here)." })
  removeEndpointDeployRule(
    @Arg('input', () => RemoveEndpointDeployRuleInput, { nullable: true }) input: RemoveEndpointDeployRuleInput | null,
    @Arg('endpointId', () => ID, { nullable: true, deprecationReason: USE_INPUT }) endpointId: string | null,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    const given = inputOrDeprecatedArguments(input, { endpointId }, ['endpointId']);
    return services.deployments.rules.remove(given.endpointId, { actor, requestId });
  }

  @FieldResolver(() => ProviderReference)
  provider(@Root() endpoint: Endpoint): ProviderReference {
    return { name: endpoint.providerName };
  }

  @FieldResolver(() => [Deployment], {
    description: 'Every deployment it has had, retired ones included, oldest first.',
  })
  deployments(@Root() endpoint: Endpoint, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).deploymentsOfEndpoint.load(endpoint.id);
  }

  @FieldResolver(() => [TrafficShare], {
    description: 'The split in force: live shares (summing to 100), then shadow shares.',
  })
  async trafficSplit(@Root() endpoint: Endpoint, @Ctx() context: CairnContext): Promise<TrafficShare[]> {
    const deployments = await deploymentLoaders(context).deploymentsOfEndpoint.load(endpoint.id);
    return [
      ...deployments
        .filter((d) => d.trafficPercent > 0)
        .map((d) => ({ deployment: d, deploymentId: d.id, percent: d.trafficPercent, shadow: false })),
      ...deployments
        .filter((d) => d.shadowPercent > 0)
        .map((d) => ({ deployment: d, deploymentId: d.id, percent: d.shadowPercent, shadow: true })),
    ];
  }

  @FieldResolver(() => Deployment, {
    nullable: true,
    description: 'The deployment that last held 100% of live traffic: where a rollback returns.',
  })
  stableDeployment(@Root() endpoint: Endpoint, @Ctx() context: CairnContext) {
    return endpoint.stableDeploymentId ? deploymentLoaders(context).deployment.load(endpoint.stableDeploymentId) : null;
  }

  @FieldResolver(() => Rollout, { nullable: true })
  activeRollout(@Root() endpoint: Endpoint, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).activeRolloutOfEndpoint.load(endpoint.id);
  }

  @FieldResolver(() => [Rollout], { description: 'Its rollouts, newest first.' })
  rollouts(
    @Root() endpoint: Endpoint,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.deployments.rollouts.ofEndpoint(endpoint.id, bounded(first, 'first'));
  }

  @FieldResolver(() => [TrafficChange], {
    description: 'Changes of its split, newest first; the next page starts `before` the last id seen.',
  })
  async trafficHistory(
    @Root() endpoint: Endpoint,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('before', () => ID, { nullable: true }) before: string | null,
    @Ctx() { services }: CairnContext,
  ): Promise<TrafficChange[]> {
    if (before != null && !/^[1-9]\d{0,18}$/.test(before))
      throw new InputError([{ path: 'before', message: 'not a traffic change ID' }]);
    const rows = await services.deployments.traffic.history(
      endpoint.id,
      bounded(first, 'first'),
      before == null ? null : BigInt(before),
    );
    const shares = (value: unknown, shadow: boolean) =>
      (value as { deploymentId: string; percent: number }[]).map(
        (share) => ({ deploymentId: share.deploymentId, percent: share.percent, shadow }) as TrafficShare,
      );
    return rows.map((row) => ({
      id: row.id.toString(),
      live: shares(row.live, false),
      shadow: shares(row.shadow, true),
      reason: row.reason,
      actor: row.actor,
      rolloutId: row.rolloutId,
      createdAt: row.createdAt,
    }));
  }

  @FieldResolver(() => EndpointDeployRule, {
    nullable: true,
    description: 'The rule that deploys a promoted PRODUCTION version here, if any.',
  })
  deployRule(@Root() endpoint: Endpoint, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).deployRuleOfEndpoint.load(endpoint.id);
  }
}
