import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** A training dataset, owned by the features subgraph. */
@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Dataset')
export class DatasetReference {
  @Field(() => ID)
  id!: string;
}
