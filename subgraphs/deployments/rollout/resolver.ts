import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { NotFoundError } from '../../../platform/errors.ts';
import type { CairnContext } from '../../shared/context.ts';
import { Deployment } from '../deployment/type.ts';
import { Endpoint } from '../endpoint/type.ts';
import { deploymentLoaders } from '../loaders.ts';
import type { Analysis } from './service.ts';
import { Rollout, RolloutAnalysis } from './type.ts';
import { CanaryThresholds, thresholdsOf } from './thresholds.ts';

/** A stored analysis, typed (its times become dates; fields of the other strategy are null). */
function analysisOf(stored: unknown): RolloutAnalysis | null {
  if (stored == null || typeof stored !== 'object') return null;
  const analysis = stored as Analysis;
  return {
    at: new Date(analysis.at),
    verdict: analysis.verdict,
    reasons: analysis.reasons ?? [],
    since: analysis.since ? new Date(analysis.since) : null,
    step: analysis.step ?? null,
    percent: analysis.percent ?? null,
    canary: analysis.canary ?? null,
    baseline: analysis.baseline ?? null,
    shadow: analysis.shadow ?? null,
    live: analysis.live ?? null,
    errorRateDelta: analysis.errorRateDelta ?? null,
    latencyP99DeltaMs: analysis.latencyP99DeltaMs ?? null,
  };
}

@Resolver(() => Rollout)
export class RolloutResolver {
  @FieldResolver(() => CanaryThresholds)
  thresholds(@Root() row: Rollout): CanaryThresholds {
    return thresholdsOf(row);
  }

  @FieldResolver(() => RolloutAnalysis, { nullable: true, description: 'The last look at it (null before the first).' })
  lastAnalysis(@Root() row: Rollout): RolloutAnalysis | null {
    return analysisOf(row.lastAnalysis);
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
