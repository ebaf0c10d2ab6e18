import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { JSONScalar } from '../../shared/scalars.ts';

@InputType()
export class IngestRowInput {
  @Field(() => String)
  entityKey!: string;

  @Field(() => String, { description: 'ISO 8601 with a time zone, e.g. 2026-01-01T10:00:00Z' })
  eventTime!: string;

  @Field(() => JSONScalar, { description: 'Feature name -> value; a missing feature is null' })
  values!: unknown;
}

@InputType()
export class IngestFeaturesInput {
  @Field(() => String)
  featureView!: string;

  @Field(() => Int, { nullable: true, description: 'The definition rows are checked against; the latest by default' })
  version?: number | null;

  @Field(() => String, {
    nullable: true,
    description: 'Provider instance holding the view; needed only when several hold a view of that name',
  })
  provider?: string | null;

  @Field(() => [IngestRowInput])
  rows!: IngestRowInput[];
}

@ObjectType({ description: 'Why one row of a batch was rejected.' })
export class IngestRowError {
  @Field(() => Int, { description: 'Index of the row in input.rows' })
  index!: number;

  @Field(() => String, { nullable: true })
  entityKey!: string | null;

  @Field(() => String)
  reason!: string;
}

@ObjectType({ description: 'Good rows of a batch land; bad rows are rejected with a reason each.' })
export class IngestResult {
  @Field(() => Int)
  accepted!: number;

  @Field(() => Int)
  rejected!: number;

  @Field(() => [String], { description: 'One line per rejected row: "rows.<index>: <reason>"' })
  errors!: string[];

  @Field(() => [IngestRowError])
  rowErrors!: IngestRowError[];
}
