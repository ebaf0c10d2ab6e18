import type { TestCairn } from '../testkit.ts';

/**
 * The estate the browser tests look at: Cairn's demo (driver_stats, eta_predictor v1) plus a second
 * version, promotions, a live endpoint with a canary of the second version in progress, a SageMaker
 * account whose last sync failed with a production endpoint of its own, and enough feature views to page.
 */
export interface BrowserEstate {
  v1: string;
  v2: string;
  trips: string;
  endpoint: string;
  blue: string;
  green: string;
}

/** A deployment row with its DEPLOYED_AS and SERVED_BY edges, as a cloud provider's sync writes them. */
async function imported(
  cairn: TestCairn,
  modelVersionId: string,
  endpoint: { name: string; provider: string; owner: string },
  name: string,
  traffic: number,
) {
  const endpointId = `endpoint:${endpoint.provider}:${endpoint.name}`;
  await cairn.db.endpoint.upsert({
    where: { id: endpointId },
    update: {},
    create: {
      id: endpointId,
      providerName: endpoint.provider,
      name: endpoint.name,
      nativeId: endpoint.name,
      status: 'IN_SERVICE',
      owner: endpoint.owner,
    },
  });
  const id = `deployment:${endpoint.provider}:${endpoint.name}/${name}`;
  await cairn.db.deployment.create({
    data: {
      id,
      endpointId,
      modelVersionId,
      strategy: 'CANARY',
      status: 'ACTIVE',
      trafficPercent: traffic,
      nativeId: name,
    },
  });
  await cairn.db.lineageEdge.createMany({
    data: [
      {
        fromId: modelVersionId,
        fromKind: 'modelVersion',
        toId: id,
        toKind: 'deployment',
        relation: 'DEPLOYED_AS',
        providerName: endpoint.provider,
      },
      {
        fromId: id,
        fromKind: 'deployment',
        toId: endpointId,
        toKind: 'endpoint',
        relation: 'SERVED_BY',
        providerName: endpoint.provider,
      },
    ],
  });
  return id;
}

const PROMOTE = `mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { applied } }`;
const CREATE_ENDPOINT = `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }`;
const DEPLOY = `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`;
/** Deployments need a model server to route to; nothing calls it in these tests. */
const MODEL_SERVER = 'http://127.0.0.1:9/';

export async function seedBrowserEstate(cairn: TestCairn): Promise<BrowserEstate> {
  const demo = await cairn.data(`{ model(name: "eta_predictor") { versions { id version features { id name } } } }`);
  const v1 = demo.model.versions.find((v: any) => v.version === 1);
  const featureIds: string[] = v1.features.map((f: { id: string }) => f.id);
  const trips = v1.features.find((f: { name: string }) => f.name === 'trips_today').id;
  const v2 = (
    await cairn.data(`mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`, {
      input: {
        model: 'eta_predictor',
        featureIds,
        gitCommit: '8e1d0c4f2a7b',
        metrics: { rmse: 3.1, mae: 2.4 },
        params: { max_depth: 10 },
      },
    })
  ).registerModelVersion.id;
  for (const [id, to] of [
    [v1.id, 'STAGING'],
    [v1.id, 'PRODUCTION'],
    [v2, 'STAGING'],
  ]) {
    await cairn.data(PROMOTE, { input: { modelVersionId: id, to, reason: 'offline evaluation passed' } });
  }

  // eta-live: v1 took all the traffic, then a canary of v2 started (10% now; each step held an hour).
  const endpoint = (
    await cairn.data(CREATE_ENDPOINT, {
      input: { name: 'eta-live', owner: 'ride-eta-team', description: 'ETA predictions for the rider app' },
    })
  ).createEndpoint.id;
  const blue = (
    await cairn.data(DEPLOY, {
      input: { endpointId: endpoint, modelVersionId: v1.id, strategy: 'RECREATE', modelServerUrl: MODEL_SERVER },
    })
  ).deployModelVersion.id;
  const green = (
    await cairn.data(DEPLOY, {
      input: {
        endpointId: endpoint,
        modelVersionId: v2,
        strategy: 'CANARY',
        modelServerUrl: MODEL_SERVER,
        rollout: { steps: [10, 50, 100], bakeSeconds: 3600 },
      },
    })
  ).deployModelVersion.id;

  await cairn.db.provider.create({
    data: {
      name: 'sagemaker-prod',
      kind: 'SAGEMAKER',
      status: 'DEGRADED',
      lastSyncAt: new Date(Date.now() - 15 * 60_000),
      lastError: 'ThrottlingException: Rate exceeded (ListEndpoints)',
    },
  });
  await cairn.db.registeredModel.create({
    data: { id: 'model:sagemaker-prod:eta-sm', providerName: 'sagemaker-prod', name: 'eta-sm', nativeId: 'eta-sm' },
  });
  const sm = 'modelVersion:sagemaker-prod:eta-sm/1';
  await cairn.db.modelVersion.create({
    data: {
      id: sm,
      modelId: 'model:sagemaker-prod:eta-sm',
      version: 1,
      nativeId: 'eta-sm/1',
      stage: 'PRODUCTION',
      createdBy: 'sm-team',
    },
  });
  await cairn.db.lineageEdge.create({
    data: {
      fromId: trips,
      fromKind: 'feature',
      toId: sm,
      toKind: 'modelVersion',
      relation: 'USES_FEATURE',
      providerName: 'sagemaker-prod',
      source: 'IMPORTED',
    },
  });
  await imported(
    cairn,
    sm,
    { name: 'eta-sm-endpoint', provider: 'sagemaker-prod', owner: 'sm-team' },
    'AllTraffic',
    100,
  );

  for (let i = 1; i <= 22; i += 1) {
    await cairn.data(`mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { id } }`, {
      input: {
        name: `zone_stats_${String(i).padStart(2, '0')}`,
        entity: 'zone',
        joinKey: 'zone_id',
        owner: 'geo-team',
        features: [{ name: 'demand', dtype: 'FLOAT64' }],
      },
    });
  }
  return { v1: v1.id, v2, trips, endpoint, blue, green };
}
