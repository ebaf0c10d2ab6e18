import { Arg, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../adapters/core/errors.ts';
import { parseGlobalId } from '../../../adapters/core/ids.ts';
import type { CairnContext } from '../../shared/context.ts';
import { ProviderReference } from '../../shared/provider-reference.ts';
import { Deployment, Endpoint, TrafficShare } from '../deployment/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import { ModelVersionReference } from '../model-version/type.ts';

@Resolver(() => Endpoint)
export class EndpointResolver {
  @Query(() => Endpoint, { nullable: true })
  endpoint(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'endpoint');
    return deploymentLoaders(context).endpoint.load(id);
  }

  @Query(() => [Endpoint], { description: 'Every endpoint, or those of one provider instance.' })
  endpoints(@Arg('provider', () => String, { nullable: true }) provider: string | null, @Ctx() { services }: CairnContext) {
    return services.deployments.endpoints(provider);
  }

  @FieldResolver(() => [Deployment])
  deployments(@Root() endpoint: Endpoint, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).deploymentsOfEndpoint.load(endpoint.id);
  }

  @FieldResolver(() => [TrafficShare], { description: 'Live shares sum to 100; shadow shares are listed separately.' })
  async trafficSplit(@Root() endpoint: Endpoint, @Ctx() context: CairnContext): Promise<TrafficShare[]> {
    const deployments = await deploymentLoaders(context).deploymentsOfEndpoint.load(endpoint.id);
    return [
      ...deployments.filter((d) => d.trafficPercent > 0).map((d) => ({ deployment: d, percent: d.trafficPercent, shadow: false })),
      ...deployments.filter((d) => d.shadowPercent > 0).map((d) => ({ deployment: d, percent: d.shadowPercent, shadow: true })),
    ];
  }

  @FieldResolver(() => ProviderReference)
  provider(@Root() endpoint: Endpoint): ProviderReference {
    return { name: endpoint.providerName };
  }
}

@Resolver(() => Deployment)
export class DeploymentResolver {
  @FieldResolver(() => Endpoint)
  async endpoint(@Root() deployment: Deployment, @Ctx() context: CairnContext) {
    const endpoint = await deploymentLoaders(context).endpoint.load(deployment.endpointId);
    if (!endpoint) throw new NotFoundError('Endpoint', deployment.endpointId);
    return endpoint;
  }

  @FieldResolver(() => ModelVersionReference)
  modelVersion(@Root() deployment: Deployment): ModelVersionReference {
    return { id: deployment.modelVersionId };
  }
}

@Resolver(() => ModelVersionReference)
export class ModelVersionDeploymentsResolver {
  @FieldResolver(() => [Deployment], {
    nullable: true,
    description: 'Deployments of this version on any endpoint (null, with an error, when the deployments subgraph is unavailable).',
  })
  deployments(@Root() version: ModelVersionReference, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).deploymentsOfModelVersion.load(version.id);
  }
}

export const deploymentReferences = {
  Endpoint: { __resolveReference: (ref: { id: string }, context: CairnContext) => deploymentLoaders(context).endpoint.load(ref.id) },
  Deployment: { __resolveReference: (ref: { id: string }, context: CairnContext) => deploymentLoaders(context).deployment.load(ref.id) },
};
