import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { RunStatus } from '../../shared/enums.ts';

@ObjectType({ description: 'One copy of the latest offline values (as of endTime, within TTL) to the online store.' })
export class MaterializationRun {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Feature view name' })
  featureView!: string;

  @Field(() => ID)
  featureViewId!: string;

  @Field(() => RunStatus, { description: 'PENDING, RUNNING, SUCCEEDED or FAILED' })
  status!: string;

  @Field(() => Int)
  rowsWritten!: number;

  @Field(() => DateTimeScalar)
  endTime!: Date;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'The previous watermark this run started from; null for a full run',
  })
  fromEndTime!: Date | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;
}

@InputType()
export class MaterializeInput {
  @Field(() => String, { description: 'Feature view name (its latest version).' })
  featureView!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: 'Values as of this time; default now.' })
  endTime?: Date | null;

  @Field(() => String, {
    nullable: true,
    description: 'Provider instance holding the view; needed only when several hold a view of that name',
  })
  provider?: string | null;
}
