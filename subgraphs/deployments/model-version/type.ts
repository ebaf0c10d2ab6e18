import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The models subgraph's ModelVersion, extended here with its deployments. */
@Directive('@key(fields: "id")')
@ObjectType('ModelVersion')
export class ModelVersionReference {
  @Field(() => ID)
  id!: string;
}
