import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import { redact } from '../../../platform/log.ts';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import { Endpoint } from '../endpoint/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import { ModelVersionReference } from '../model-version/type.ts';
import { DeployModelVersionInput, Deployment, RetireDeploymentInput } from './type.ts';

@Resolver(() => Deployment)
export class DeploymentResolver {
  @Query(() => Deployment, { nullable: true, description: 'A deployment by its global ID; null when there is none.' })
  deployment(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'deployment');
    return deploymentLoaders(context).deployment.load(id);
  }

  @Mutation(() => Deployment, {
    description: 'Deploys a model version behind an endpoint with a strategy (an ARCHIVED version is refused).',
  })
  deployModelVersion(
    @Arg('input', () => DeployModelVersionInput) input: DeployModelVersionInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.deployments.deployments.deploy(input, { actor, requestId });
  }

  @Mutation(() => Deployment, {
    description:
      'Takes a deployment without traffic out of its endpoint for good; its lineage edges end (kept as history).',
  })
  retireDeployment(
    @Arg('input', () => RetireDeploymentInput, { nullable: true }) input: RetireDeploymentInput | null,
    @Arg('deploymentId', () => ID, { nullable: true, deprecationReason: USE_INPUT }) deploymentId: string | null,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    const given = inputOrDeprecatedArguments(input, { deploymentId }, ['deploymentId']);
    return services.deployments.deployments.retire(given.deploymentId, { actor, requestId });
  }

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

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Built-in endpoints: the model server the router forwards to (credentials masked).',
  })
  modelServerUrl(@Root() deployment: Deployment): string | null {
    return deployment.modelServerUrl ? redact(deployment.modelServerUrl) : null;
  }
}

@Resolver(() => ModelVersionReference)
export class ModelVersionDeploymentsResolver {
  @FieldResolver(() => [Deployment], {
    nullable: true,
    description:
      'Deployments of this version on any endpoint (null, with an error, when the deployments subgraph is unavailable).',
  })
  deployments(@Root() version: ModelVersionReference, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).deploymentsOfModelVersion.load(version.id);
  }
}
