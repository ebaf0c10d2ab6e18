import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PolicySeverity, Stage } from '../../../prisma/generated/enums.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { PolicySource } from '../../shared/enums.ts';

registerEnumType(PolicySeverity, {
  name: 'PolicySeverity',
  description: 'BLOCK denies a promotion that fails the policy; WARN only reports it.',
});

@ObjectType({
  description: 'A promotion rule: a CEL expression over the promotion context. Each change is a new version.',
})
export class Policy {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => Stage, { description: 'The target stage it guards.' })
  appliesTo!: Stage;

  @Field(() => String, { nullable: true, description: 'Glob on model names (`fraud-*`); null: every model.' })
  modelPattern!: string | null;

  @Field(() => String)
  expression!: string;

  @Field(() => String)
  message!: string;

  @Field(() => PolicySeverity)
  severity!: PolicySeverity;

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => PolicySource, { description: 'API, or FILE for policies loaded from the policy file at start.' })
  source!: string;

  @Field(() => String)
  createdBy!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@InputType()
export class ApplyPolicyInput {
  @Field(() => String)
  name!: string;

  @Field(() => Stage)
  appliesTo!: Stage;

  @Field(() => String, { description: 'CEL; sees candidate, current, features, approvals, actor, target, now.' })
  expression!: string;

  @Field(() => String)
  message!: string;

  @Field(() => PolicySeverity, { nullable: true, description: 'Default BLOCK.' })
  severity?: PolicySeverity | null;

  @Field(() => String, { nullable: true })
  modelPattern?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'false disables the policy (as a new version). Default true.' })
  enabled?: boolean | null;
}
