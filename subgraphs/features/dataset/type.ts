import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';

export enum DatasetFormat {
  CSV = 'CSV',
  PARQUET = 'PARQUET',
}
registerEnumType(DatasetFormat, { name: 'DatasetFormat' });

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A versioned training set with a content hash.' })
export class Dataset {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String, {
    description: 'SHA-256 of the feature versions used and the rows: same spec and data, same hash',
  })
  contentHash!: string;

  @Field(() => Int)
  rowCount!: number;

  @Field(() => JSONScalar, { description: 'What it was built from: {features, featureIds, entityCount}' })
  spec!: unknown;

  @Field(() => String, { nullable: true })
  createdBy!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  rowsRef!: string | null;
}

@InputType()
export class TrainingEntityInput {
  @Field(() => String)
  entityKey!: string;

  @Field(() => DateTimeScalar)
  eventTime!: Date;
}

@InputType()
export class CreateTrainingDatasetInput {
  @Field(() => String)
  name!: string;

  @Field(() => [String], { description: '"view:feature" of the latest version of each view' })
  features!: string[];

  @Field(() => [TrainingEntityInput])
  entities!: TrainingEntityInput[];
}

@InputType()
export class ExportDatasetInput {
  @Field(() => ID)
  datasetId!: string;

  @Field(() => DatasetFormat)
  format!: DatasetFormat;
}

@ObjectType({ description: 'A file written under the data directory.' })
export class DatasetExport {
  @Field(() => ID)
  datasetId!: string;

  @Field(() => DatasetFormat)
  format!: DatasetFormat;

  @Field(() => String)
  path!: string;

  @Field(() => Int)
  rowCount!: number;

  @Field(() => Int)
  bytes!: number;
}
