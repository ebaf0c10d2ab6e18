import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars.ts';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A model version deployed behind an endpoint.' })
export class Deployment {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'RECREATE, BLUE_GREEN, CANARY, SHADOW or AB_TEST' })
  strategy!: string;

  @Field(() => String)
  status!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  endpointId!: string;
  modelVersionId!: string;
  trafficPercent!: number;
  shadowPercent!: number;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A serving endpoint of one provider and its traffic split.' })
export class Endpoint {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  status!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  providerName!: string;
}

@ObjectType({ description: 'One deployment\'s share of an endpoint\'s traffic; shadow shares mirror traffic and never answer callers.' })
export class TrafficShare {
  @Field(() => Deployment)
  deployment!: Deployment;

  @Field(() => Int)
  percent!: number;

  @Field(() => Boolean)
  shadow!: boolean;
}
