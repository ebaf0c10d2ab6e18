import { Field, ID, InputType, registerEnumType } from 'type-graphql';

export enum IncidentSeverity {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  CRITICAL = 'CRITICAL',
}
registerEnumType(IncidentSeverity, { name: 'IncidentSeverity' });

@InputType()
export class ReportFeatureIncidentInput {
  @Field(() => ID)
  featureId!: string;

  @Field(() => IncidentSeverity)
  severity!: IncidentSeverity;

  @Field(() => String)
  description!: string;
}

@InputType()
export class ResolveFeatureIncidentInput {
  @Field(() => ID, { description: 'The incident to resolve.' })
  id!: string;
}
