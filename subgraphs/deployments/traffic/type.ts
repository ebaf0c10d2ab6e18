import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../../shared/connection.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { Deployment } from '../deployment/type.ts';
import { TrafficReason } from '../../shared/enums.ts';

@ObjectType({
  description:
    "One deployment's share of an endpoint's traffic; shadow shares mirror traffic and never answer callers.",
})
export class TrafficShare {
  @Field(() => Deployment)
  deployment!: Deployment;

  @Field(() => Int)
  percent!: number;

  @Field(() => Boolean)
  shadow!: boolean;

  deploymentId!: string;
}

@InputType()
export class TrafficShareInput {
  @Field(() => ID)
  deploymentId!: string;

  @Field(() => Int)
  percent!: number;
}

@InputType()
export class SetTrafficSplitInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => [TrafficShareInput], {
    description: 'The whole live split: integers summing to 100; deployments not named get 0%.',
  })
  split!: TrafficShareInput[];

  @Field(() => [TrafficShareInput], {
    nullable: true,
    description: 'Mirror percentages (replaced when given, kept when omitted).',
  })
  shadow?: TrafficShareInput[];
}

@ObjectType({ description: "One change of an endpoint's split, as it was applied." })
export class TrafficChange {
  @Field(() => ID)
  id!: string;

  @Field(() => [TrafficShare])
  live!: TrafficShare[];

  @Field(() => [TrafficShare])
  shadow!: TrafficShare[];

  @Field(() => TrafficReason, {
    description: 'DEPLOY, SET_SPLIT, ROLLOUT_STEP, ROLLBACK, AUTO_ROLLBACK or PROMOTION_RULE',
  })
  reason!: string;

  @Field(() => String)
  actor!: string;

  @Field(() => ID, { nullable: true, description: 'The rollout that made it, if one did.' })
  rolloutId!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType({ description: "A page of an endpoint's traffic history." })
export class TrafficChangeConnection extends connectionOf(TrafficChange, 'TrafficChange') {}

@InputType()
export class RollbackEndpointInput {
  @Field(() => ID, { description: 'The endpoint whose live traffic goes back to its stable deployment.' })
  endpointId!: string;
}
