import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import type { CairnContext } from '../../shared/context.ts';
import { Deployment } from '../deployment/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import { TrafficShare } from './type.ts';

@Resolver(() => TrafficShare)
export class TrafficShareResolver {
  @FieldResolver(() => Deployment)
  async deployment(@Root() share: TrafficShare & { deploymentId: string }, @Ctx() context: CairnContext) {
    if (share.deployment) return share.deployment;
    const deployment = await deploymentLoaders(context).deployment.load(share.deploymentId);
    if (!deployment) throw new NotFoundError('Deployment', share.deploymentId);
    return deployment;
  }
}
