import { Directive, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionOf } from '../../shared/connection.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { DeploymentStatus } from '../../shared/enums.ts';

export const DeploymentStrategy = {
  RECREATE: 'RECREATE',
  BLUE_GREEN: 'BLUE_GREEN',
  CANARY: 'CANARY',
  SHADOW: 'SHADOW',
  AB_TEST: 'AB_TEST',
} as const;
export type DeploymentStrategy = (typeof DeploymentStrategy)[keyof typeof DeploymentStrategy];

registerEnumType(DeploymentStrategy, {
  name: 'DeploymentStrategy',
  description: 'How a new deployment takes traffic.',
  valuesConfig: {
    RECREATE: { description: 'It takes 100% of live traffic at once; the other deployments are retired.' },
    BLUE_GREEN: {
      description: 'It waits at 0% until switched with setTrafficSplit; blue keeps serving (instant rollback).',
    },
    CANARY: {
      description:
        "It moves through the rollout plan's steps, judged after each bake time; rolled back by itself on a breach.",
    },
    SHADOW: { description: 'It receives a mirrored share of requests (trafficPercent) and never answers callers.' },
    AB_TEST: { description: 'It takes trafficPercent of live traffic; the split is held until changed.' },
  },
});

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A model version deployed behind an endpoint.' })
export class Deployment {
  @Field(() => ID)
  id!: string;

  @Field(() => DeploymentStrategy, { description: 'RECREATE, BLUE_GREEN, CANARY, SHADOW or AB_TEST' })
  strategy!: string;

  @Field(() => DeploymentStatus, {
    description: 'ACTIVE (in the split or waiting for traffic) or RETIRED (out of the endpoint for good).',
  })
  status!: string;

  @Field(() => Int, { description: 'Its share of live traffic (the live shares of an endpoint sum to 100).' })
  trafficPercent!: number;

  @Field(() => Int, { description: 'The share of requests mirrored to it (never answered to callers).' })
  shadowPercent!: number;

  @Field(() => String, { nullable: true })
  featureView!: string | null;

  @Field(() => String, { nullable: true })
  entityKeyField!: string | null;

  @Field(() => String, { nullable: true })
  createdBy!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  retiredAt!: Date | null;

  endpointId!: string;
  modelVersionId!: string;
  modelServerUrl!: string | null;
}

@ObjectType({ description: 'A page of deployments.' })
export class DeploymentConnection extends connectionOf(Deployment, 'Deployment') {}

@InputType({
  description:
    'A canary plan: live percent of the new deployment per step, each held for bakeSeconds and judged against the thresholds.',
})
export class RolloutPlanInput {
  @Field(() => [Int], { nullable: true, description: 'Increasing, ending at 100; default [10, 50, 100].' })
  steps?: number[];

  @Field(() => Int, { nullable: true, description: 'How long each step is held before it is judged; default 300.' })
  bakeSeconds?: number;

  @Field(() => Float, { nullable: true, description: 'Errors / requests above this (0..1) roll back.' })
  maxErrorRate?: number;

  @Field(() => Float, { nullable: true, description: 'A p99 latency above this (ms) rolls back.' })
  maxLatencyP99Ms?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'Requests a step must have served before it is judged or passed; default 0.',
  })
  minRequests?: number;
}

@InputType()
export class DeployModelVersionInput {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => ID)
  modelVersionId!: string;

  @Field(() => DeploymentStrategy)
  strategy!: DeploymentStrategy;

  @Field(() => Int, {
    nullable: true,
    description: 'AB_TEST: its live share (default 50); SHADOW: the mirror percent (default 100).',
  })
  trafficPercent?: number;

  @Field(() => String, {
    nullable: true,
    description: 'Built-in endpoints: the model server the router forwards to (required there).',
  })
  modelServerUrl?: string;

  @Field(() => String, { nullable: true, description: "Enrich requests with this feature view's online features ..." })
  featureView?: string;

  @Field(() => String, { nullable: true, description: '... looked up by the entity key in this request field.' })
  entityKeyField?: string;

  @Field(() => RolloutPlanInput, {
    nullable: true,
    description: 'CANARY steps and thresholds; SHADOW comparison thresholds.',
  })
  rollout?: RolloutPlanInput;
}

@InputType()
export class RetireDeploymentInput {
  @Field(() => ID, { description: 'The deployment to retire (it must hold no traffic).' })
  deploymentId!: string;
}
