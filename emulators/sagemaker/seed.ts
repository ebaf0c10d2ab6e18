import type { ModelPackage, SageMakerState } from './state.ts';

/**
 * The demo estate `npm start` shows and the end-to-end tests sync: three model package groups
 * (churn-classifier with v2 in production behind an endpoint that splits traffic with v3, fraud-scorer
 * waiting for approval, demand-forecast archived), a feature group, and the lineage SageMaker
 * records for a training job (dataset -> training job -> model package -> deployment -> endpoint).
 */
export function seedDemoEstate(state: SageMakerState) {
  state.addFeatureGroup({
    FeatureGroupName: 'driver-activity',
    RecordIdentifierFeatureName: 'driver_id',
    EventTimeFeatureName: 'event_time',
    Description: 'Seven-day activity of each driver, written by the streaming job',
    FeatureDefinitions: [
      { FeatureName: 'driver_id', FeatureType: 'String' },
      { FeatureName: 'event_time', FeatureType: 'String' },
      { FeatureName: 'trips_7d', FeatureType: 'Integral' },
      { FeatureName: 'cancel_rate', FeatureType: 'Fractional' },
      { FeatureName: 'recent_zones', FeatureType: 'String', CollectionType: 'List' },
    ],
    OnlineStoreConfig: { EnableOnlineStore: true, TtlDuration: { Unit: 'Days', Value: 1 } },
  });

  state.addModelPackageGroup('churn-classifier', 'Predicts which riders churn within 30 days');
  const container = (version: number) => ({
    Containers: [
      {
        Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn:latest',
        ModelDataUrl: `s3://cairn-demo/churn/${version}/model.tar.gz`,
      },
    ],
  });
  const churn1 = state.addModelPackage('churn-classifier', {
    ModelPackageDescription: 'First gradient-boosted baseline',
    ModelApprovalStatus: 'Rejected',
    ModelLifeCycle: { Stage: 'Archived', StageStatus: 'Rejected' },
    InferenceSpecification: container(1),
    CustomerMetadataProperties: { 'metric:auc': '0.84', 'param:max_depth': '6' },
  });
  const churn2 = state.addModelPackage('churn-classifier', {
    ModelPackageDescription: 'Adds seven-day driver activity',
    ModelApprovalStatus: 'Approved',
    ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' },
    InferenceSpecification: container(2),
    MetadataProperties: { CommitId: '9c1e2f7', Repository: 'https://git.example.com/ml/churn' },
    CustomerMetadataProperties: { 'metric:auc': '0.91', 'metric:f1': '0.78', 'param:max_depth': '8', team: 'growth' },
    CreatedBy: { UserProfileName: 'ana' },
  });
  const churn3 = state.addModelPackage('churn-classifier', {
    ModelPackageDescription: 'Retrained on November data',
    ModelApprovalStatus: 'PendingManualApproval',
    ModelLifeCycle: { Stage: 'Staging', StageStatus: 'PendingApproval' },
    InferenceSpecification: container(3),
    MetadataProperties: { CommitId: 'b4d0a11', Repository: 'https://git.example.com/ml/churn' },
    CustomerMetadataProperties: { 'metric:auc': '0.93', 'metric:f1': '0.80', 'param:max_depth': '8', team: 'growth' },
    CreatedBy: { UserProfileName: 'ana' },
  });
  state.addModelPackage('fraud-scorer', {
    ModelPackageDescription: 'Card-not-present fraud score',
    InferenceSpecification: {
      Containers: [
        {
          Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/fraud:1',
          ModelDataUrl: 's3://cairn-demo/fraud/1/model.tar.gz',
        },
      ],
    },
    CustomerMetadataProperties: { 'metric:precision_at_1pct': '0.62' },
  });
  state.addModelPackageGroup('demand-forecast', 'Hourly ride demand per zone');
  state.addModelPackage('demand-forecast', {
    ModelApprovalStatus: 'Rejected',
    InferenceSpecification: { Containers: [{ Image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/demand:1' }] },
  });

  state.addModel('churn-v2', churn2);
  state.addModel('churn-v3', churn3);
  const endpoint = state.addEndpoint('churn-prod', [
    { name: 'v2-primary', model: 'churn-v2', weight: 9, instances: 2 },
    { name: 'v3-canary', model: 'churn-v3', weight: 1 },
  ]);

  // Lineage as SageMaker records it for a training job and a deployment.
  const lineageOfTraining = (pkg: ModelPackage, job: string, dataset: string) => {
    const data = state.addArtifact(dataset.split('/').pop()!, dataset, 'DataSet');
    const jobArn = state.trainingJobArn(job);
    const model = state.addArtifact(
      `${pkg.ModelPackageGroupName}-${pkg.ModelPackageVersion}`,
      pkg.ModelPackageArn,
      'Model',
    );
    state.associate(
      { arn: data.ArtifactArn, type: 'DataSet' },
      { arn: jobArn, type: 'SageMakerTrainingJob', name: job },
      'ContributedTo',
    );
    state.associate(
      { arn: jobArn, type: 'SageMakerTrainingJob', name: job },
      { arn: model.ArtifactArn, type: 'Model' },
      'Produced',
    );
    return model;
  };
  lineageOfTraining(churn1, 'churn-train-1', 's3://cairn-demo/churn/train-2026-09.parquet');
  const churn2Artifact = lineageOfTraining(churn2, 'churn-train-2', 's3://cairn-demo/churn/train-2026-10.parquet');
  lineageOfTraining(churn3, 'churn-train-3', 's3://cairn-demo/churn/train-2026-11.parquet');
  const deployment = state.addAction('churn-prod-deployment', endpoint.EndpointArn, 'ModelDeployment');
  const context = state.addContext('churn-prod-endpoint', endpoint.EndpointArn, 'Endpoint');
  state.associate(
    { arn: churn2Artifact.ArtifactArn, type: 'Model' },
    { arn: deployment.ActionArn, type: 'ModelDeployment' },
    'ContributedTo',
  );
  state.associate(
    { arn: deployment.ActionArn, type: 'ModelDeployment' },
    { arn: context.ContextArn, type: 'Endpoint' },
    'AssociatedWith',
  );
}

/**
 * A large estate for the benchmark: `modelPackages` packages in groups of ten (each trained on its
 * group's dataset, with lineage), and `endpoints` endpoints each serving one or two of them.
 */
export function generateEstate(state: SageMakerState, size: { modelPackages: number; endpoints: number }) {
  const groups = Math.max(1, Math.ceil(size.modelPackages / 10));
  const packages: ModelPackage[] = [];
  const datasets = new Map<number, string>();
  for (let i = 0; i < size.modelPackages; i++) {
    const group = i % groups;
    const name = `model-${String(group).padStart(4, '0')}`;
    const stageOf = (n: number) =>
      n % 5 === 0
        ? { ModelApprovalStatus: 'Approved' as const, ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' } }
        : n % 5 === 1
          ? {
              ModelApprovalStatus: 'PendingManualApproval' as const,
              ModelLifeCycle: { Stage: 'Staging', StageStatus: 'PendingApproval' },
            }
          : { ModelApprovalStatus: 'Rejected' as const };
    const pkg = state.addModelPackage(name, {
      ...stageOf(Math.floor(i / groups)),
      ModelPackageDescription: `generated package ${i}`,
      InferenceSpecification: {
        Containers: [
          {
            Image: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}:${i}`,
            ModelDataUrl: `s3://bench/${name}/${i}/model.tar.gz`,
          },
        ],
      },
      CustomerMetadataProperties: { 'metric:auc': (0.7 + (i % 30) / 100).toFixed(2), 'param:seed': String(i) },
    });
    packages.push(pkg);
    if (!datasets.has(group)) {
      datasets.set(
        group,
        state.addArtifact(`${name}-train`, `s3://bench/${name}/train.parquet`, 'DataSet').ArtifactArn,
      );
    }
    const job = state.trainingJobArn(`${name}-train-${i}`);
    const artifact = state.addArtifact(`${name}-${pkg.ModelPackageVersion}`, pkg.ModelPackageArn, 'Model');
    state.associate(
      { arn: datasets.get(group)!, type: 'DataSet' },
      { arn: job, type: 'SageMakerTrainingJob' },
      'ContributedTo',
    );
    state.associate(
      { arn: job, type: 'SageMakerTrainingJob' },
      { arn: artifact.ArtifactArn, type: 'Model' },
      'Produced',
    );
  }
  for (let e = 0; e < size.endpoints; e++) {
    const primary = packages[e % packages.length]!;
    const secondary = packages[(e * 7 + 1) % packages.length]!;
    const name = `endpoint-${String(e).padStart(4, '0')}`;
    state.addModel(`${name}-a`, primary);
    const variants = [{ name: 'a', model: `${name}-a`, weight: 1 }];
    if (e % 2 === 0) {
      state.addModel(`${name}-b`, secondary);
      variants.push({ name: 'b', model: `${name}-b`, weight: 1 });
    }
    state.addEndpoint(name, variants);
  }
}
