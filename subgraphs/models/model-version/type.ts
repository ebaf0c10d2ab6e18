import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Stage } from '../../../prisma/generated/enums.ts';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';

registerEnumType(Stage, { name: 'Stage', description: 'Lifecycle stage of a model version; one PRODUCTION holder per model.' });

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

  providerName!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'One registered version of a model: its artifact, metrics, params and the features it uses.' })
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

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  modelId!: string;
  trainingDatasetId!: string | null;
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
}
