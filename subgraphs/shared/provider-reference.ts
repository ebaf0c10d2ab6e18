import { Directive, Field, ObjectType } from 'type-graphql';

/** A reference to a provider instance from the features, models and deployments subgraphs; the lineage subgraph owns its fields. */
@Directive('@key(fields: "name", resolvable: false)')
@ObjectType('Provider')
export class ProviderReference {
  @Field(() => String)
  name!: string;
}
