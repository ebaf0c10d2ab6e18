import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { DatasetRef, DeploymentRef, EndpointRef, FeatureRef, FeatureViewRef, ModelVersionRef } from '../references.ts';
import { LineageSource } from '../../shared/enums.ts';

export enum LineageDirection {
  UPSTREAM = 'UPSTREAM',
  DOWNSTREAM = 'DOWNSTREAM',
  BOTH = 'BOTH',
}

registerEnumType(LineageDirection, {
  name: 'LineageDirection',
  description:
    'UPSTREAM walks toward sources (deployment -> model version -> dataset -> features), DOWNSTREAM toward consumers; BOTH is the union of the two walks (no zig-zag to siblings).',
});

@ObjectType({
  description: 'One asset of the lineage graph: a federated reference the gateway fills in from its owning subgraph.',
})
export class LineageNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, {
    description: 'feature, featureView, dataset, model, modelVersion, deployment or endpoint (from the global ID).',
  })
  kind!: string;

  @Field(() => String, {
    description:
      'The native ID from the global ID (for the built-in provider e.g. `driver_stats/v1/trips_today`); the entity fields carry the full record.',
  })
  name!: string;

  @Field(() => String, { description: 'The provider instance name from the global ID.' })
  provider!: string;

  @Field(() => Int, {
    description: 'Fewest hops from the asked-for asset (0 for the asset itself and, for a feature view, its features).',
  })
  depth!: number;

  @Field(() => FeatureRef, { nullable: true })
  feature!: FeatureRef | null;

  @Field(() => FeatureViewRef, { nullable: true })
  featureView!: FeatureViewRef | null;

  @Field(() => DatasetRef, { nullable: true })
  dataset!: DatasetRef | null;

  @Field(() => ModelVersionRef, { nullable: true })
  modelVersion!: ModelVersionRef | null;

  @Field(() => DeploymentRef, { nullable: true })
  deployment!: DeploymentRef | null;

  @Field(() => EndpointRef, { nullable: true })
  endpoint!: EndpointRef | null;
}

@ObjectType('LineageEdge', {
  description: 'A typed edge from the upstream asset to its consumer, valid over [validFrom, validTo).',
})
export class LineageEdgeView {
  @Field(() => ID)
  from!: string;

  @Field(() => ID)
  to!: string;

  @Field(() => String, {
    description:
      'USES_FEATURE, TRAINED_ON, DERIVED_FROM, FINE_TUNED_FROM, DEPLOYED_AS, SERVED_BY, HAS_FEATURE (feature view -> its features, from the catalog) or a native relation imported from a cloud.',
  })
  relation!: string;

  @Field(() => String)
  provider!: string;

  @Field(() => LineageSource, { description: 'DECLARED by Cairn, IMPORTED from a cloud, or CATALOG (HAS_FEATURE).' })
  source!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  validFrom!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  validTo!: Date | null;
}

@ObjectType({ description: 'The part of the lineage graph reachable from one asset, as it was at `asOf`.' })
export class LineageGraph {
  @Field(() => ID)
  root!: string;

  @Field(() => DateTimeScalar)
  asOf!: Date;

  @Field(() => [LineageNode])
  nodes!: LineageNode[];

  @Field(() => [LineageEdgeView])
  edges!: LineageEdgeView[];

  @Field(() => Boolean, {
    description: 'True when the walk was cut at `limit` nodes: the answer is a part of the graph, nearest nodes first.',
  })
  truncated!: boolean;
}
