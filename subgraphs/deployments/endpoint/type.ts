import { Directive, Field, ID, InputType, ObjectType } from 'type-graphql';
import { connectionOf } from '../../shared/connection.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { EndpointStatus } from '../../shared/enums.ts';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A serving endpoint of one provider, its deployments and its traffic split.' })
export class Endpoint {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => EndpointStatus, { description: 'IN_SERVICE once its owner created it.' })
  status!: string;

  @Field(() => String, { nullable: true })
  owner!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  providerName!: string;
  stableDeploymentId!: string | null;
}

@ObjectType({ description: 'A page of endpoints.' })
export class EndpointConnection extends connectionOf(Endpoint, 'Endpoint') {}

@InputType()
export class CreateEndpointInput {
  @Field(() => String, {
    description: 'Letters, digits and hyphens (at most 63); the router serves it at /endpoints/{name}/predict.',
  })
  name!: string;

  @Field(() => String, { nullable: true, description: 'The provider instance that owns it; default "builtin".' })
  provider?: string;

  @Field(() => String, { nullable: true, description: 'Who answers for it (default: the caller).' })
  owner?: string;

  @Field(() => String, { nullable: true })
  description?: string;
}
