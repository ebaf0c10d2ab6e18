/**
 * The in-memory estate of the SageMaker emulator, in SageMaker's own shapes (as DescribeX answers
 * them, times as Date). The wire layer (server.ts) serializes them; seed.ts fills them.
 */

export interface ModelPackageGroup {
  ModelPackageGroupName: string;
  ModelPackageGroupArn: string;
  ModelPackageGroupDescription?: string;
  CreationTime: Date;
  ModelPackageGroupStatus: 'Completed';
}

export interface ModelLifeCycle {
  Stage: string;
  StageStatus: string;
  StageDescription?: string;
}

export interface ModelPackage {
  ModelPackageName: string;
  ModelPackageGroupName: string;
  ModelPackageVersion: number;
  ModelPackageArn: string;
  ModelPackageDescription?: string;
  CreationTime: Date;
  LastModifiedTime?: Date;
  ModelPackageStatus: 'Completed';
  ModelApprovalStatus: 'Approved' | 'Rejected' | 'PendingManualApproval';
  ApprovalDescription?: string;
  ModelLifeCycle?: ModelLifeCycle;
  InferenceSpecification?: {
    Containers: { Image: string; ModelDataUrl?: string }[];
    SupportedContentTypes?: string[];
    SupportedResponseMIMETypes?: string[];
  };
  MetadataProperties?: { CommitId?: string; Repository?: string; GeneratedBy?: string; ProjectId?: string };
  ModelMetrics?: { ModelQuality?: { Statistics?: { ContentType: string; S3Uri: string } } };
  CustomerMetadataProperties?: Record<string, string>;
  CreatedBy?: { UserProfileName?: string };
}

export interface Model {
  ModelName: string;
  ModelArn: string;
  PrimaryContainer: { Image?: string; ModelDataUrl?: string; ModelPackageName?: string };
  ExecutionRoleArn: string;
  CreationTime: Date;
}

export interface VariantConfig {
  VariantName: string;
  ModelName: string;
  InitialInstanceCount: number;
  InstanceType: string;
  InitialVariantWeight: number;
}

export interface EndpointConfig {
  EndpointConfigName: string;
  EndpointConfigArn: string;
  ProductionVariants: VariantConfig[];
  ShadowProductionVariants?: VariantConfig[];
  CreationTime: Date;
}

export interface VariantState {
  VariantName: string;
  CurrentWeight: number;
  DesiredWeight: number;
  CurrentInstanceCount: number;
  DesiredInstanceCount: number;
}

export interface Endpoint {
  EndpointName: string;
  EndpointArn: string;
  EndpointConfigName: string;
  EndpointStatus: 'InService' | 'Updating' | 'Creating' | 'Failed';
  CreationTime: Date;
  LastModifiedTime: Date;
  ProductionVariants: VariantState[];
  ShadowProductionVariants?: VariantState[];
}

export interface FeatureGroup {
  FeatureGroupName: string;
  FeatureGroupArn: string;
  RecordIdentifierFeatureName: string;
  EventTimeFeatureName: string;
  FeatureDefinitions: {
    FeatureName: string;
    FeatureType: 'Integral' | 'Fractional' | 'String';
    CollectionType?: 'List' | 'Set' | 'Vector';
  }[];
  CreationTime: Date;
  LastModifiedTime?: Date;
  OnlineStoreConfig?: {
    EnableOnlineStore: boolean;
    TtlDuration?: { Unit: 'Seconds' | 'Minutes' | 'Hours' | 'Days' | 'Weeks'; Value: number };
  };
  FeatureGroupStatus: 'Created';
  Description?: string;
}

export interface Artifact {
  ArtifactArn: string;
  ArtifactName?: string;
  Source: { SourceUri: string; SourceTypes?: { SourceIdType: string; Value: string }[] };
  ArtifactType: string;
  CreationTime: Date;
  LastModifiedTime: Date;
}

export interface Context {
  ContextArn: string;
  ContextName: string;
  Source: { SourceUri: string; SourceType?: string };
  ContextType: string;
  CreationTime: Date;
  LastModifiedTime: Date;
}

export interface Action {
  ActionArn: string;
  ActionName: string;
  Source: { SourceUri: string; SourceType?: string };
  ActionType: string;
  Status: 'Completed';
  CreationTime: Date;
  LastModifiedTime: Date;
}

export interface Association {
  SourceArn: string;
  DestinationArn: string;
  SourceType?: string;
  DestinationType?: string;
  AssociationType: 'ContributedTo' | 'AssociatedWith' | 'DerivedFrom' | 'Produced' | 'SameAs';
  SourceName?: string;
  DestinationName?: string;
  CreationTime: Date;
}

/** Everything one emulated account and region holds. Maps keep insertion order (creation order). */
export class SageMakerState {
  readonly groups = new Map<string, ModelPackageGroup>();
  /** By ARN. */
  readonly packages = new Map<string, ModelPackage>();
  readonly models = new Map<string, Model>();
  readonly endpointConfigs = new Map<string, EndpointConfig>();
  readonly endpoints = new Map<string, Endpoint>();
  readonly featureGroups = new Map<string, FeatureGroup>();
  readonly artifacts = new Map<string, Artifact>();
  readonly contexts = new Map<string, Context>();
  readonly actions = new Map<string, Action>();
  readonly associations: Association[] = [];

  constructor(
    readonly region = 'eu-west-1',
    readonly accountId = '123456789012',
    /** The emulator's clock: creation and modification times come from it. */
    readonly clock: () => Date = () => new Date(),
  ) {}

  arn(resource: string): string {
    return `arn:aws:sagemaker:${this.region}:${this.accountId}:${resource}`;
  }

  addModelPackageGroup(name: string, description?: string): ModelPackageGroup {
    const group: ModelPackageGroup = {
      ModelPackageGroupName: name,
      ModelPackageGroupArn: this.arn(`model-package-group/${name}`),
      ModelPackageGroupDescription: description,
      CreationTime: this.clock(),
      ModelPackageGroupStatus: 'Completed',
    };
    this.groups.set(name, group);
    return group;
  }

  /** Registers the next version of a group (created with the group when missing). */
  addModelPackage(
    groupName: string,
    spec: Partial<
      Omit<ModelPackage, 'ModelPackageArn' | 'ModelPackageVersion' | 'ModelPackageGroupName' | 'ModelPackageName'>
    > = {},
  ): ModelPackage {
    if (!this.groups.has(groupName)) this.addModelPackageGroup(groupName);
    let version = 1;
    for (const existing of this.packages.values())
      if (existing.ModelPackageGroupName === groupName) version = Math.max(version, existing.ModelPackageVersion + 1);
    const now = this.clock();
    const pkg: ModelPackage = {
      ModelPackageStatus: 'Completed',
      ModelApprovalStatus: 'PendingManualApproval',
      CreationTime: now,
      LastModifiedTime: now,
      ...spec,
      ModelPackageName: groupName,
      ModelPackageGroupName: groupName,
      ModelPackageVersion: version,
      ModelPackageArn: this.arn(`model-package/${groupName}/${version}`),
    };
    this.packages.set(pkg.ModelPackageArn, pkg);
    return pkg;
  }

  /** A deployable model made from a model package (as `CreateModel` with `ModelPackageName` does). */
  addModel(name: string, fromPackage?: ModelPackage, container: { Image?: string; ModelDataUrl?: string } = {}): Model {
    const model: Model = {
      ModelName: name,
      ModelArn: this.arn(`model/${name}`),
      PrimaryContainer: fromPackage ? { ModelPackageName: fromPackage.ModelPackageArn } : container,
      ExecutionRoleArn: `arn:aws:iam::${this.accountId}:role/SageMakerExecution`,
      CreationTime: this.clock(),
    };
    this.models.set(name, model);
    return model;
  }

  /** An endpoint config and the endpoint serving it, variants at their initial weights. */
  addEndpoint(
    name: string,
    variants: { name: string; model: string; weight: number; instances?: number }[],
    shadowVariants: { name: string; model: string; weight: number; instances?: number }[] = [],
  ): Endpoint {
    const now = this.clock();
    const toConfig = (v: { name: string; model: string; weight: number; instances?: number }): VariantConfig => ({
      VariantName: v.name,
      ModelName: v.model,
      InitialInstanceCount: v.instances ?? 1,
      InstanceType: 'ml.m5.large',
      InitialVariantWeight: v.weight,
    });
    const config: EndpointConfig = {
      EndpointConfigName: `${name}-config`,
      EndpointConfigArn: this.arn(`endpoint-config/${name}-config`),
      ProductionVariants: variants.map(toConfig),
      ...(shadowVariants.length ? { ShadowProductionVariants: shadowVariants.map(toConfig) } : {}),
      CreationTime: now,
    };
    this.endpointConfigs.set(config.EndpointConfigName, config);
    const toState = (v: VariantConfig): VariantState => ({
      VariantName: v.VariantName,
      CurrentWeight: v.InitialVariantWeight,
      DesiredWeight: v.InitialVariantWeight,
      CurrentInstanceCount: v.InitialInstanceCount,
      DesiredInstanceCount: v.InitialInstanceCount,
    });
    const endpoint: Endpoint = {
      EndpointName: name,
      EndpointArn: this.arn(`endpoint/${name.toLowerCase()}`),
      EndpointConfigName: config.EndpointConfigName,
      EndpointStatus: 'InService',
      CreationTime: now,
      LastModifiedTime: now,
      ProductionVariants: config.ProductionVariants.map(toState),
      ...(config.ShadowProductionVariants
        ? { ShadowProductionVariants: config.ShadowProductionVariants.map(toState) }
        : {}),
    };
    this.endpoints.set(name, endpoint);
    return endpoint;
  }

  addFeatureGroup(spec: Omit<FeatureGroup, 'FeatureGroupArn' | 'CreationTime' | 'FeatureGroupStatus'>): FeatureGroup {
    const group: FeatureGroup = {
      ...spec,
      FeatureGroupArn: this.arn(`feature-group/${spec.FeatureGroupName.toLowerCase()}`),
      CreationTime: this.clock(),
      LastModifiedTime: this.clock(),
      FeatureGroupStatus: 'Created',
    };
    this.featureGroups.set(group.FeatureGroupName, group);
    return group;
  }

  addArtifact(name: string, sourceUri: string, type: string): Artifact {
    const id = Buffer.from(`${type}:${sourceUri}`).toString('hex').slice(-32);
    const artifact: Artifact = {
      ArtifactArn: this.arn(`artifact/${id}`),
      ArtifactName: name,
      Source: { SourceUri: sourceUri },
      ArtifactType: type,
      CreationTime: this.clock(),
      LastModifiedTime: this.clock(),
    };
    this.artifacts.set(artifact.ArtifactArn, artifact);
    return artifact;
  }

  addContext(name: string, sourceUri: string, type: string): Context {
    const context: Context = {
      ContextArn: this.arn(`context/${name}`),
      ContextName: name,
      Source: { SourceUri: sourceUri },
      ContextType: type,
      CreationTime: this.clock(),
      LastModifiedTime: this.clock(),
    };
    this.contexts.set(context.ContextArn, context);
    return context;
  }

  addAction(name: string, sourceUri: string, type: string): Action {
    const action: Action = {
      ActionArn: this.arn(`action/${name}`),
      ActionName: name,
      Source: { SourceUri: sourceUri },
      ActionType: type,
      Status: 'Completed',
      CreationTime: this.clock(),
      LastModifiedTime: this.clock(),
    };
    this.actions.set(action.ActionArn, action);
    return action;
  }

  /** A training job as lineage shows it: a trial component ARN (SageMaker creates one per job). */
  trainingJobArn(jobName: string): string {
    return this.arn(`experiment-trial-component/${jobName}-aws-training-job`);
  }

  associate(
    source: { arn: string; type?: string; name?: string },
    destination: { arn: string; type?: string; name?: string },
    type: Association['AssociationType'],
  ) {
    this.associations.push({
      SourceArn: source.arn,
      DestinationArn: destination.arn,
      SourceType: source.type,
      DestinationType: destination.type,
      SourceName: source.name,
      DestinationName: destination.name,
      AssociationType: type,
      CreationTime: this.clock(),
    });
  }

  /** Deletes an endpoint (and the lineage pointing at its context stays, as in SageMaker). */
  deleteEndpoint(name: string): boolean {
    return this.endpoints.delete(name);
  }

  deleteModelPackage(arn: string): boolean {
    return this.packages.delete(arn);
  }
}
