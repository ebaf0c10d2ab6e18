import { Arg, Ctx, ID, Int, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { MAX_PAGE } from '../../shared/connection.ts';
import { ImpactReport, ImpactedDeploymentConnection } from '../impact/type.ts';
import { DEFAULT_NODE_LIMIT } from './service.ts';
import { LineageDirection, LineageGraph } from './type.ts';

@Resolver()
export class LineageResolver {
  @Query(() => LineageGraph, {
    description:
      'The lineage graph around an asset, as it was at `asOf` (default now), walked `depth` hops; cut at `limit` nodes (max 10000) with `truncated`.',
  })
  lineage(
    @Arg('id', () => ID) id: string,
    @Arg('direction', () => LineageDirection, { defaultValue: LineageDirection.BOTH }) direction: LineageDirection,
    @Arg('depth', () => Int, { defaultValue: 5 }) depth: number,
    @Arg('asOf', () => DateTimeScalar, { nullable: true }) asOf: Date | null,
    @Arg('kinds', () => [String], {
      nullable: true,
      description:
        'Only answer nodes of these kinds (the walk still passes through the others); the asked-for asset is always answered.',
    })
    kinds: string[] | null,
    @Arg('limit', () => Int, { defaultValue: DEFAULT_NODE_LIMIT }) limit: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.lineage.graph.lineage({ id, direction, depth, asOf, kinds, limit });
  }

  @Query(() => ImpactReport, {
    description:
      'Everything downstream of a feature, feature view, dataset or model version now: model versions, deployments, endpoints, live traffic, production and risk.',
  })
  impact(@Arg('id', () => ID) id: string, @Ctx() { services }: CairnContext) {
    return services.lineage.impact.impact(id);
  }

  @Query(() => ImpactedDeploymentConnection, {
    description: `Every production deployment, on any provider, with an open incident on a feature upstream of it; by provider, endpoint name and ID; \`first\` at most ${MAX_PAGE}.`,
  })
  atRiskDeployments(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    return services.lineage.impact.atRiskDeployments(first, after);
  }
}
