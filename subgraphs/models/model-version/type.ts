import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Stage } from '../../shared/enums.ts';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';
import { PageInfo } from '../../shared/connection.ts';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A named model of one provider, with numbered versions.' })
export class RegisteredModel {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

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

@Directive('@key(fields: "id")')
@ObjectType({
  description: 'One registered version of a model: its artifact, metrics, params and the features it uses.',
})
export class ModelVersion {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => Stage)
  stage!: Stage;

  @Field(() => [String])
  aliases!: string[];

  @Field(() => JSONScalar)
  metrics!: unknown;

  @Field(() => JSONScalar)
  params!: unknown;

  @Field(() => String, { nullable: true })
  gitCommit!: string | null;

  @Field(() => String, { nullable: true })
  artifactUri!: string | null;

  @Field(() => String, { nullable: true })
  imageUri!: string | null;

  @Field(() => String, { nullable: true })
  createdBy!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [String])
  tags!: string[];

  @Field(() => JSONScalar, {
    description: 'Fairness metric name -> number (per group if you like: {"dp_gap_gender": 0.03}).',
  })
  fairnessMetrics!: unknown;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      'When a sync stopped finding it at its provider (null while it exists); the row and its history are kept.',
  })
  removedAt!: Date | null;

  modelId!: string;
  trainingDatasetId!: string | null;
  parentVersionId!: string | null;
}

@ObjectType()
export class ModelVersionPage {
  @Field(() => [ModelVersion])
  nodes!: ModelVersion[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType({ description: 'A metric bound: versions whose metric `name` lies in [min, max].' })
export class MetricThreshold {
  @Field(() => String)
  name!: string;

  @Field(() => Float, { nullable: true })
  min?: number | null;

  @Field(() => Float, { nullable: true })
  max?: number | null;
}

@InputType()
export class ModelVersionFilter {
  @Field(() => String, { nullable: true, description: 'Exact model name.' })
  model?: string | null;

  @Field(() => String, { nullable: true })
  modelPrefix?: string | null;

  @Field(() => Stage, { nullable: true })
  stage?: Stage | null;

  @Field(() => String, { nullable: true })
  tag?: string | null;

  @Field(() => String, { nullable: true, description: 'Provider instance name.' })
  provider?: string | null;

  @Field(() => [MetricThreshold], { nullable: true })
  metrics?: MetricThreshold[] | null;
}

@InputType()
export class SetModelAliasInput {
  @Field(() => ID, { description: 'The version that gets the alias; it leaves whichever version of the model had it.' })
  modelVersionId!: string;

  @Field(() => String, { description: 'champion, challenger, …' })
  alias!: string;
}

@InputType()
export class RegisterModelVersionInput {
  @Field(() => String, { description: 'Model name; the model is created with its first version.' })
  model!: string;

  @Field(() => String, { nullable: true, description: 'Provider instance name (default: builtin).' })
  provider?: string | null;

  @Field(() => String, { nullable: true })
  artifactUri?: string | null;

  @Field(() => String, { nullable: true })
  imageUri?: string | null;

  @Field(() => String, { nullable: true })
  gitCommit?: string | null;

  @Field(() => ID, { nullable: true })
  trainingDatasetId?: string | null;

  @Field(() => [ID], { nullable: true })
  featureIds?: string[] | null;

  @Field(() => JSONScalar, { nullable: true })
  params?: unknown;

  @Field(() => JSONScalar, { nullable: true, description: 'Metric name -> number.' })
  metrics?: unknown;

  @Field(() => JSONScalar, { nullable: true, description: 'Fairness metric name -> number.' })
  fairnessMetrics?: unknown;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true })
  tags?: string[] | null;

  @Field(() => ID, { nullable: true, description: 'The version this one was fine-tuned from (same or another model).' })
  parentVersionId?: string | null;
}
