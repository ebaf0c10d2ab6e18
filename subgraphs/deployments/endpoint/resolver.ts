import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { parseGlobalId } from '../../../platform/ids.ts';
import type { TrafficChange as TrafficChangeRow } from '../../../prisma/generated/client.ts';
import { cursorCodec, MAX_PAGE, pageRequest, timeKeyCursors, toPage } from '../../shared/connection.ts';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import { DeploymentStatus } from '../../shared/enums.ts';
import { ProviderReference } from '../../shared/provider-reference.ts';
import { EndpointDeployRule, RemoveEndpointDeployRuleInput, SetEndpointDeployRuleInput } from '../deploy-rule/type.ts';
import { Deployment, DeploymentConnection } from '../deployment/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import { Rollout, RolloutConnection } from '../rollout/type.ts';
import {
  RollbackEndpointInput,
  SetTrafficSplitInput,
  TrafficChange,
  TrafficChangeConnection,
  TrafficShare,
} from '../traffic/type.ts';
import { CreateEndpointInput, Endpoint, EndpointConnection } from './type.ts';

const DEPLOYMENT_CURSORS = timeKeyCursors('endpointDeployments');
const ROLLOUT_CURSORS = timeKeyCursors('endpointRollouts');
/** Traffic changes are numbered in the order they were applied: the ID alone orders the history. */
const TRAFFIC_CURSORS = cursorCodec<string>(
  'trafficHistory',
  (id) => [id],
  (parts) => (parts.length === 1 && /^[1-9]\d{0,18}$/.test(parts[0]!) ? parts[0]! : null),
);

function trafficChange(row: TrafficChangeRow): TrafficChange {
  const shares = (value: unknown, shadow: boolean) =>
    (value as { deploymentId: string; percent: number }[]).map(
      (share) => ({ deploymentId: share.deploymentId, percent: share.percent, shadow }) as TrafficShare,
    );
  return {
    id: row.id.toString(),
    live: shares(row.live, false),
    shadow: shares(row.shadow, true),
    reason: row.reason,
    actor: row.actor,
    rolloutId: row.rolloutId,
    createdAt: row.createdAt,
  };
}

@Resolver(() => Endpoint)
export class EndpointResolver {
  @Query(() => Endpoint, { nullable: true })
  endpoint(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'endpoint');
    return deploymentLoaders(context).endpoint.load(id);
  }

  @Query(() => EndpointConnection, {
    description: `Endpoints of every provider, or of one provider instance, by provider then name; \`first\` at most ${MAX_PAGE}.`,
  })
  endpoints(
    @Arg('provider', () => String, { nullable: true }) provider: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.deployments.endpoints.list(provider, first, after);
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

  @FieldResolver(() => DeploymentConnection, {
    description: `Every deployment it has had, retired ones included (or those of \`status\`), oldest first; \`first\` at most ${MAX_PAGE}.`,
  })
  async deployments(
    @Root() endpoint: Endpoint,
    @Arg('status', () => DeploymentStatus, { nullable: true }) status: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: CairnContext,
  ) {
    const page = pageRequest(DEPLOYMENT_CURSORS, { first, after });
    const { rows, total } = await deploymentLoaders(context).deploymentPageOfEndpoint.load({
      parentId: endpoint.id,
      page: { request: page, status },
    });
    return toPage(rows, page, DEPLOYMENT_CURSORS, (row) => ({ at: row.createdAt, id: row.id }), total);
  }

  @FieldResolver(() => [TrafficShare], {
    description: 'The split in force: live shares (summing to 100), then shadow shares.',
  })
  async trafficSplit(@Root() endpoint: Endpoint, @Ctx() context: CairnContext): Promise<TrafficShare[]> {
    const deployments = await deploymentLoaders(context).sharingDeploymentsOfEndpoint.load(endpoint.id);
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

  @FieldResolver(() => RolloutConnection, { description: `Its rollouts, newest first; \`first\` at most ${MAX_PAGE}.` })
  async rollouts(
    @Root() endpoint: Endpoint,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() context: CairnContext,
  ) {
    const page = pageRequest(ROLLOUT_CURSORS, { first, after });
    const { rows, total } = await deploymentLoaders(context).rolloutPageOfEndpoint.load({
      parentId: endpoint.id,
      page,
    });
    return toPage(rows, page, ROLLOUT_CURSORS, (row) => ({ at: row.startedAt, id: row.id }), total);
  }

  @FieldResolver(() => TrafficChangeConnection, {
    description: `Changes of its split as applied, newest first: \`first\`/\`after\` page on to older ones, \`last\`/\`before\` read from the oldest back (not both \`first\` and \`last\`; at most ${MAX_PAGE}; default \`first: 50\`).`,
  })
  async trafficHistory(
    @Root() endpoint: Endpoint,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('last', () => Int, { nullable: true }) last: number | null,
    @Arg('before', () => String, { nullable: true }) before: string | null,
    @Ctx() context: CairnContext,
  ) {
    const page = pageRequest(TRAFFIC_CURSORS, { first, after, last, before });
    const { rows, total } = await deploymentLoaders(context).trafficHistoryPageOfEndpoint.load({
      parentId: endpoint.id,
      page,
    });
    return toPage(rows.map(trafficChange), page, TRAFFIC_CURSORS, (change) => change.id, total);
  }

  @FieldResolver(() => EndpointDeployRule, {
    nullable: true,
    description: 'The rule that deploys a promoted PRODUCTION version here, if any.',
  })
  deployRule(@Root() endpoint: Endpoint, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).deployRuleOfEndpoint.load(endpoint.id);
  }
}
