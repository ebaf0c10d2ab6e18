import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { DeploymentStrategy } from '../deployment/type.ts';

@ObjectType({ description: 'Deploy the PRODUCTION version of a model to this endpoint whenever one is promoted.' })
export class EndpointDeployRule {
  modelName!: string;

  @Field(() => String)
  modelProvider!: string;

  @Field(() => DeploymentStrategy)
  strategy!: string;

  modelServerUrl!: string | null;

  @Field(() => [Int])
  canarySteps!: number[];

  @Field(() => Int, { deprecationReason: 'use thresholds' })
  bakeSeconds!: number;

  @Field(() => Float, { nullable: true, deprecationReason: 'use thresholds' })
  maxErrorRate!: number | null;

  @Field(() => Float, { nullable: true, deprecationReason: 'use thresholds' })
  maxLatencyP99Ms!: number | null;

  @Field(() => Int, { deprecationReason: 'use thresholds' })
  minRequests!: number;

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => String)
  createdBy!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  endpointId!: string;
}

@InputType()
export class SetEndpointDeployRuleInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => String, { description: "The model's name." })
  model!: string;

  @Field(() => String, { nullable: true, description: 'The model\'s provider instance; default "builtin".' })
  modelProvider?: string;

  @Field(() => DeploymentStrategy, { description: 'RECREATE, BLUE_GREEN or CANARY.' })
  strategy!: DeploymentStrategy;

  @Field(() => String, {
    nullable: true,
    description: 'Built-in endpoints: the model server URL; may hold {model} and {version}.',
  })
  modelServerUrl?: string;

  @Field(() => [Int], { nullable: true, description: 'CANARY steps; default [10, 50, 100].' })
  canarySteps?: number[];

  @Field(() => Int, { nullable: true, description: 'CANARY bake time per step; default 300.' })
  bakeSeconds?: number;

  @Field(() => Float, { nullable: true, description: 'CANARY: errors / requests above this (0..1) roll back.' })
  maxErrorRate?: number;

  @Field(() => Float, { nullable: true, description: 'CANARY: a p99 latency above this (ms) rolls back.' })
  maxLatencyP99Ms?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'CANARY: requests a step must have served before it is judged or passed; default 0.',
  })
  minRequests?: number;
}

@InputType()
export class RemoveEndpointDeployRuleInput {
  @Field(() => ID, { description: 'The endpoint whose deploy rule is removed.' })
  endpointId!: string;
}
