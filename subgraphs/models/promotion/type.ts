import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PolicySeverity, Stage } from '../../../prisma/generated/enums.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { EvaluationOutcome, PromotionStatus } from '../../shared/enums.ts';

@ObjectType({
  description:
    'A recorded promotion attempt. status: APPLIED, DENIED, FAILED, PENDING_APPROVAL, or PENDING (allowed; its owner, a cloud registry, is being asked).',
})
export class Promotion {
  @Field(() => ID)
  id!: string;

  @Field(() => Stage)
  from!: Stage;

  @Field(() => Stage)
  to!: Stage;

  @Field(() => PromotionStatus)
  status!: string;

  @Field(() => String)
  actor!: string;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  modelVersionId!: string;
}

@ObjectType()
export class PolicyViolation {
  @Field(() => String)
  policy!: string;

  @Field(() => String)
  message!: string;

  @Field(() => PolicySeverity)
  severity!: PolicySeverity;
}

@ObjectType({ description: "One policy's verdict in a promotion's trace." })
export class PolicyEvaluation {
  @Field(() => String)
  policy!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => PolicySeverity)
  severity!: PolicySeverity;

  @Field(() => EvaluationOutcome, {
    description: 'PASSED, FAILED, or ERRORED (the expression could not be evaluated: fails closed).',
  })
  outcome!: string;

  @Field(() => String)
  message!: string;

  @Field(() => String, { nullable: true })
  error!: string | null;
}

@ObjectType({
  description: "A promotion's verdict. A denial is data (allowed: false), with the policies that denied it.",
})
export class PromotionResult {
  @Field(() => Boolean)
  allowed!: boolean;

  @Field(() => Boolean)
  applied!: boolean;

  @Field(() => Boolean, { description: 'True for a dry run: the verdict, with nothing applied or recorded.' })
  dryRun!: boolean;

  @Field(() => Boolean, {
    description: 'True when this answers a repeated idempotency key: the original result, nothing done again.',
  })
  replayed!: boolean;

  @Field(() => Promotion, { nullable: true })
  promotion!: Promotion | null;

  @Field(() => [PolicyViolation], { description: 'Failed or errored BLOCK policies.' })
  violations!: PolicyViolation[];

  @Field(() => [PolicyViolation], { description: 'Failed or errored WARN policies.' })
  warnings!: PolicyViolation[];

  @Field(() => [PolicyEvaluation], { description: 'Every applicable policy with its outcome.' })
  evaluations!: PolicyEvaluation[];

  @Field(() => ID, { nullable: true, description: 'The version that held the target stage before.' })
  previousHolderId!: string | null;
}

@InputType()
export class PromoteModelVersionInput {
  @Field(() => ID)
  modelVersionId!: string;

  @Field(() => Stage)
  to!: Stage;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Evaluate the policies and answer the verdict; change and record nothing.',
  })
  dryRun?: boolean | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A retry with the same key answers the first result and does nothing; the same key with another request is a CONFLICT.',
  })
  idempotencyKey?: string | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'The version the caller believes holds the target stage now ("none" for nobody); a different holder is a CONFLICT.',
  })
  expectedCurrentVersionId?: string | null;
}
