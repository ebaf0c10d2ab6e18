import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../../shared/connection.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { RolloutStatus, RolloutStrategy, RolloutVerdict } from '../../shared/enums.ts';

@ObjectType({ description: "One side's figures over the window judged, as its owner reported them." })
export class RolloutFigures {
  @Field(() => Int)
  requests!: number;

  @Field(() => Int)
  errors!: number;

  @Field(() => Float, { nullable: true, description: 'errors / requests; null before any request.' })
  errorRate!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Null when the owner reports none; for several deployments, the worst of them.',
  })
  latencyP99Ms!: number | null;
}

@ObjectType({
  description:
    'One look at a rollout: the verdict, its reasons, and the figures judged (a canary against its baseline, or a shadow against live traffic).',
})
export class RolloutAnalysis {
  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => RolloutVerdict)
  verdict!: string;

  @Field(() => [String], { description: 'The breaches (or why the figures could not be read).' })
  reasons!: string[];

  @Field(() => DateTimeScalar, { nullable: true, description: 'Start of the window judged (null with ERROR).' })
  since!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Canary: the step judged (from 0).' })
  step!: number | null;

  @Field(() => Int, { nullable: true, description: "Canary: the step's live percent." })
  percent!: number | null;

  @Field(() => RolloutFigures, { nullable: true, description: 'Canary: the deployment rolled out.' })
  canary!: RolloutFigures | null;

  @Field(() => RolloutFigures, { nullable: true, description: 'Canary: the other live deployments together.' })
  baseline!: RolloutFigures | null;

  @Field(() => RolloutFigures, { nullable: true, description: 'Shadow: the mirrored deployment.' })
  shadow!: RolloutFigures | null;

  @Field(() => RolloutFigures, { nullable: true, description: 'Shadow: the live deployments together.' })
  live!: RolloutFigures | null;

  @Field(() => Float, { nullable: true, description: 'Shadow: its error rate minus the live one.' })
  errorRateDelta!: number | null;

  @Field(() => Float, { nullable: true, description: 'Shadow: its p99 latency minus the live one, in ms.' })
  latencyP99DeltaMs!: number | null;
}

@ObjectType({
  description: 'A progressive rollout of one deployment: canary steps, a blue/green switch, or a shadow comparison.',
})
export class Rollout {
  @Field(() => ID)
  id!: string;

  @Field(() => RolloutStrategy, { description: 'CANARY, BLUE_GREEN or SHADOW' })
  strategy!: string;

  @Field(() => RolloutStatus, { description: 'IN_PROGRESS, SUCCEEDED, ROLLED_BACK or CANCELLED' })
  status!: string;

  @Field(() => [Int], { description: 'Live percent of the deployment at each step.' })
  steps!: number[];

  @Field(() => Int)
  stepIndex!: number;

  @Field(() => Int, { deprecationReason: 'use thresholds' })
  bakeSeconds!: number;

  @Field(() => Float, { nullable: true, deprecationReason: 'use thresholds' })
  maxErrorRate!: number | null;

  @Field(() => Float, { nullable: true, deprecationReason: 'use thresholds' })
  maxLatencyP99Ms!: number | null;

  @Field(() => Int, { deprecationReason: 'use thresholds' })
  minRequests!: number;

  /** As stored (an `Analysis`); the resolver answers it typed. */
  lastAnalysis!: unknown;

  @Field(() => String, {
    nullable: true,
    description: 'Why it ended (the breach of an automatic rollback, who rolled back or switched).',
  })
  reason!: string | null;

  @Field(() => String)
  createdBy!: string;

  @Field(() => DateTimeScalar)
  startedAt!: Date;

  @Field(() => DateTimeScalar)
  stepStartedAt!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'When the rollout job looks at it next (while in progress).',
  })
  nextCheckAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;

  endpointId!: string;
  deploymentId!: string;
  baselineDeploymentId!: string | null;
}

@ObjectType({ description: 'A page of rollouts.' })
export class RolloutConnection extends connectionOf(Rollout, 'Rollout') {}
