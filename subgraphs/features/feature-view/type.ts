import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';

@Directive('@key(fields: "id")')
@ObjectType({
  description: 'A versioned group of features about one entity. Applying a changed definition makes a new version.',
})
export class FeatureView {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String)
  entity!: string;

  @Field(() => String)
  joinKey!: string;

  @Field(() => Int, { nullable: true })
  ttlSeconds!: number | null;

  @Field(() => String, { nullable: true })
  owner!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [String])
  tags!: string[];

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When a sync stopped finding it at its provider (null while it exists); the row and its history are kept.',
  })
  removedAt!: Date | null;

  providerName!: string;
}

@InputType({ description: 'Quality checks evaluated on ingest and materialization; all optional.' })
export class FeatureChecksInput {
  @Field(() => Number, { nullable: true })
  min?: number | null;

  @Field(() => Number, { nullable: true })
  max?: number | null;

  @Field(() => Number, { nullable: true, description: 'Largest share of null values, 0..1' })
  maxNullRatio?: number | null;

  @Field(() => [JSONScalar], { nullable: true })
  allowedValues?: unknown[] | null;
}

@InputType()
export class FeatureInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'INT64, FLOAT64, STRING, BOOL, TIMESTAMP or FLOAT32_LIST' })
  dtype!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => FeatureChecksInput, { nullable: true })
  checks?: FeatureChecksInput | null;
}

@InputType()
export class ApplyFeatureViewInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  entity!: string;

  @Field(() => String)
  joinKey!: string;

  @Field(() => [FeatureInput])
  features!: FeatureInput[];

  @Field(() => Int, { nullable: true })
  ttlSeconds?: number | null;

  @Field(() => String, { nullable: true })
  owner?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;
}

@InputType()
export class FeatureViewFilter {
  @Field(() => String, { nullable: true })
  owner?: string | null;

  @Field(() => String, { nullable: true })
  tag?: string | null;

  @Field(() => String, { nullable: true })
  namePrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'Provider instance name' })
  provider?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Every version, not only the latest of each view' })
  allVersions?: boolean | null;
}

@ObjectType()
export class FeatureViewPage {
  @Field(() => [FeatureView])
  items!: FeatureView[];

  @Field(() => Int)
  totalCount!: number;
}
