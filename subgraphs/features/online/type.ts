import { Field, ObjectType } from 'type-graphql';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';

@ObjectType({
  description: 'The online values of one entity; values are null for an unknown entity, stale past the TTL.',
})
export class FeatureVector {
  @Field(() => String)
  entityKey!: string;

  @Field(() => JSONScalar)
  values!: Record<string, unknown>;

  @Field(() => DateTimeScalar, { nullable: true })
  eventTime!: Date | null;

  @Field(() => Boolean, { description: "True when the values are older than the view's TTL" })
  stale!: boolean;
}
