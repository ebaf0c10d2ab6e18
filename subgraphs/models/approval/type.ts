import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Stage } from '../../../prisma/generated/enums.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';

@ObjectType({ description: "Someone's sign-off for moving a version to a stage; policies can require them." })
export class Approval {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  modelVersionId!: string;

  @Field(() => Stage)
  to!: Stage;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { nullable: true, description: "The approver's first role, as policies see it." })
  role!: string | null;

  @Field(() => String, { nullable: true })
  comment!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@InputType()
export class ApproveModelVersionInput {
  @Field(() => ID)
  modelVersionId!: string;

  @Field(() => Stage)
  to!: Stage;

  @Field(() => String, { nullable: true })
  comment?: string | null;
}
