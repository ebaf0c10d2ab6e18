import { Field, ID, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../../shared/connection.ts';
import { DeploymentRef, EndpointRef, FeatureRef, ModelVersionRef } from '../references.ts';
import { DeploymentStatus, Stage } from '../../shared/enums.ts';

@ObjectType({ description: 'A downstream model version, with the facts impact analysis needs.' })
export class ImpactedModelVersion {
  @Field(() => ModelVersionRef)
  modelVersion!: ModelVersionRef;

  @Field(() => Stage, { description: 'NONE, STAGING, PRODUCTION or ARCHIVED.' })
  stage!: string;

  @Field(() => String)
  provider!: string;

  @Field(() => String, { nullable: true, description: 'Who registered the version (createdBy).' })
  owner!: string | null;
}

@ObjectType({
  description: 'A downstream deployment: where it serves, how much live traffic it takes, and whether it is at risk.',
})
export class ImpactedDeployment {
  @Field(() => DeploymentRef)
  deployment!: DeploymentRef;

  @Field(() => EndpointRef)
  endpoint!: EndpointRef;

  @Field(() => String, { description: "The endpoint's name (also reachable as endpoint { name })." })
  endpointName!: string;

  @Field(() => ModelVersionRef)
  modelVersion!: ModelVersionRef;

  @Field(() => Stage, { description: 'Stage of the deployed model version.' })
  stage!: string;

  @Field(() => String, { description: "The endpoint's provider instance." })
  provider!: string;

  @Field(() => String, { nullable: true, description: 'Owner of the deployed model version (its createdBy).' })
  owner!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Owner of the endpoint (who runs the serving side), when it has one.',
  })
  endpointOwner!: string | null;

  @Field(() => DeploymentStatus)
  status!: string;

  @Field(() => Int, { description: "Share of the endpoint's live traffic, in percent." })
  trafficPercent!: number;

  @Field(() => Int, { description: 'Share of traffic mirrored to it (shadow: never answers callers).' })
  shadowPercent!: number;

  @Field(() => Boolean, { description: 'Serves live traffic now: trafficPercent > 0 and not RETIRED.' })
  live!: boolean;

  @Field(() => Boolean, { description: 'Not RETIRED, and live or deploying a PRODUCTION model version.' })
  production!: boolean;

  @Field(() => Boolean, {
    description: 'A production deployment with an open incident on a feature anywhere upstream of it.',
  })
  atRisk!: boolean;

  @Field(() => [FeatureRef], { description: 'Upstream features with an open incident (empty unless at risk).' })
  incidentFeatures!: FeatureRef[];
}

@ObjectType({ description: 'A page of impacted deployments.' })
export class ImpactedDeploymentConnection extends connectionOf(ImpactedDeployment, 'ImpactedDeployment') {}

@ObjectType()
export class ProviderCount {
  @Field(() => String)
  provider!: string;

  @Field(() => Int)
  modelVersions!: number;

  @Field(() => Int)
  deployments!: number;

  @Field(() => Int)
  endpoints!: number;
}

@ObjectType()
export class StageCount {
  @Field(() => Stage)
  stage!: string;

  @Field(() => Int)
  modelVersions!: number;
}

@ObjectType()
export class ImpactSummary {
  @Field(() => Int)
  modelVersions!: number;

  @Field(() => Int)
  productionModelVersions!: number;

  @Field(() => Int)
  deployments!: number;

  @Field(() => Int)
  liveDeployments!: number;

  @Field(() => Int)
  productionDeployments!: number;

  @Field(() => Int)
  atRiskDeployments!: number;

  @Field(() => Int)
  endpoints!: number;

  @Field(() => [ProviderCount])
  byProvider!: ProviderCount[];

  @Field(() => [StageCount])
  byStage!: StageCount[];
}

@ObjectType({
  description: 'Everything downstream of an asset, now: model versions, deployments, endpoints, live traffic and risk.',
})
export class ImpactReport {
  @Field(() => ID)
  root!: string;

  @Field(() => [String], {
    description: "Owners of the asset itself: the feature view's owner, or the dataset's or model version's creator.",
  })
  owners!: string[];

  @Field(() => [ModelVersionRef])
  modelVersions!: ModelVersionRef[];

  @Field(() => [ModelVersionRef], { description: 'The downstream model versions in the PRODUCTION stage.' })
  productionModelVersions!: ModelVersionRef[];

  @Field(() => [DeploymentRef])
  deployments!: DeploymentRef[];

  @Field(() => [DeploymentRef], {
    description: 'Downstream deployments that are not RETIRED and serve live traffic or deploy a PRODUCTION version.',
  })
  productionDeployments!: DeploymentRef[];

  @Field(() => [EndpointRef])
  endpoints!: EndpointRef[];

  @Field(() => [String], {
    description: 'Provider instances of the downstream model versions, deployments and endpoints.',
  })
  providers!: string[];

  @Field(() => [ImpactedModelVersion])
  impactedModelVersions!: ImpactedModelVersion[];

  @Field(() => [ImpactedDeployment], {
    description: 'Every downstream deployment with its traffic share, production and risk flags.',
  })
  impactedDeployments!: ImpactedDeployment[];

  @Field(() => [ImpactedDeployment], { description: 'The production deployments with an open incident upstream.' })
  atRisk!: ImpactedDeployment[];

  @Field(() => ImpactSummary)
  summary!: ImpactSummary;
}
