import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import type { CairnContext } from '../../shared/context.ts';
import { Deployment } from '../deployment/type.ts';
import { Endpoint } from '../endpoint/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import { Rollout } from './type.ts';
import { CanaryThresholds, thresholdsOf } from './thresholds.ts';

@Resolver(() => Rollout)
export class RolloutResolver {
  @FieldResolver(() => CanaryThresholds)
  thresholds(@Root() row: Rollout): CanaryThresholds {
    return thresholdsOf(row);
  }

  @Query(() => Rollout, { nullable: true })
  rollout(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    return deploymentLoaders(context).rollout.load(id);
  }

  @FieldResolver(() => Endpoint)
  async endpoint(@Root() rollout: Rollout, @Ctx() context: CairnContext) {
    const endpoint = await deploymentLoaders(context).endpoint.load(rollout.endpointId);
    if (!endpoint) throw new NotFoundError('Endpoint', rollout.endpointId);
    return endpoint;
  }

  @FieldResolver(() => Deployment)
  async deployment(@Root() rollout: Rollout, @Ctx() context: CairnContext) {
    const deployment = await deploymentLoaders(context).deployment.load(rollout.deploymentId);
    if (!deployment) throw new NotFoundError('Deployment', rollout.deploymentId);
    return deployment;
  }

  @FieldResolver(() => Deployment, { nullable: true, description: 'What held the traffic when it began.' })
  baselineDeployment(@Root() rollout: Rollout, @Ctx() context: CairnContext) {
    return rollout.baselineDeploymentId
      ? deploymentLoaders(context).deployment.load(rollout.baselineDeploymentId)
      : null;
  }

  @FieldResolver(() => Int, { description: "The deployment's live percent now." })
  async currentPercent(@Root() rollout: Rollout, @Ctx() context: CairnContext) {
    return (await deploymentLoaders(context).deployment.load(rollout.deploymentId))?.trafficPercent ?? 0;
  }
}
