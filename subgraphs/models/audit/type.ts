import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';
import { AuditOutcome } from '../../shared/enums.ts';

@ObjectType({ description: "One append-only audit record; `hash` covers its content and the previous record's hash." })
export class AuditEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field(() => String)
  actor!: string;

  @Field(() => String)
  action!: string;

  @Field(() => String)
  subjectId!: string;

  @Field(() => AuditOutcome, { description: 'APPLIED, DENIED or FAILED' })
  outcome!: string;

  @Field(() => JSONScalar)
  payload!: unknown;

  @Field(() => String, { nullable: true })
  requestId!: string | null;

  @Field(() => String)
  hash!: string;
}

@ObjectType()
export class AuditEventPage {
  @Field(() => [AuditEvent])
  nodes!: AuditEvent[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next (older) page.' })
  endCursor!: string | null;

  @Field(() => Boolean)
  hasNextPage!: boolean;
}

@ObjectType()
export class AuditChainReport {
  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => Int)
  checked!: number;

  @Field(() => ID, { nullable: true, description: 'The first event that does not match the chain.' })
  firstBrokenId!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;
}
