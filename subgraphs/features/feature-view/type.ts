import { Directive, Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars.ts';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A versioned group of features about one entity. Applying a changed definition makes a new version.' })
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

  providerName!: string;
}

@InputType()
export class FeatureInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'INT64, FLOAT64, STRING, BOOL, TIMESTAMP or FLOAT32_LIST' })
  dtype!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;
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
