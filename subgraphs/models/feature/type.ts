import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** The features subgraph's Feature, extended here with the model versions that use it. */
@Directive('@key(fields: "id")')
@ObjectType('Feature')
export class FeatureReference {
  @Field(() => ID)
  id!: string;
}
