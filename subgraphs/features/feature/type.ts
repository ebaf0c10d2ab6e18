import { Directive, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { FeatureQuality } from '../../../prisma/generated/enums.ts';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';
import { IncidentStatus } from '../../shared/enums.ts';
import { IncidentSeverity } from '../incident/type.ts';

registerEnumType(FeatureQuality, {
  name: 'FeatureQuality',
  description: 'UNKNOWN until checks ran; FAILING when the last check failed.',
});

@ObjectType()
export class FeatureIncident {
  @Field(() => ID)
  id!: string;

  @Field(() => IncidentSeverity)
  severity!: string;

  @Field(() => String)
  description!: string;

  @Field(() => IncidentStatus, { description: 'OPEN or RESOLVED' })
  status!: string;

  @Field(() => String, { nullable: true })
  reportedBy!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  resolvedAt!: Date | null;

  featureId!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'One typed feature of one version of a feature view.' })
export class Feature {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'INT64, FLOAT64, STRING, BOOL, TIMESTAMP or FLOAT32_LIST' })
  dtype!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => FeatureQuality)
  quality!: FeatureQuality;

  @Field(() => JSONScalar, { description: 'Declared checks: {min, max, maxNullRatio, allowedValues}' })
  checks!: unknown;

  @Field(() => JSONScalar, {
    nullable: true,
    description: 'Results of the last evaluation: [{check, passed, threshold, observed}]',
  })
  lastChecks!: unknown;

  @Field(() => DateTimeScalar, { nullable: true })
  checkedAt!: Date | null;

  featureViewId!: string;
}
