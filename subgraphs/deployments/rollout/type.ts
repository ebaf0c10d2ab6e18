import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';
import { RolloutStatus, RolloutStrategy } from '../../shared/enums.ts';

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

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'The last look: verdict, reasons, and the figures it judged (canary vs baseline, or shadow vs live).',
  })
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
