import { Directive, Field, ID, ObjectType } from 'type-graphql';

// Entities owned by the features, models and deployments subgraphs. The lineage subgraph only
// hands out references ({ id }); the gateway fills in every other field from the owner, batched
// by the owner's DataLoaders.

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Feature')
export class FeatureRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('FeatureView')
export class FeatureViewRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Dataset')
export class DatasetRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('ModelVersion')
export class ModelVersionRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Deployment')
export class DeploymentRef {
  @Field(() => ID)
  id!: string;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType('Endpoint')
export class EndpointRef {
  @Field(() => ID)
  id!: string;
}

/** `{ id }` when the id is set, else null: the shape a reference field answers. */
export const ref = (id: string | null | undefined) => (id ? { id } : null);
