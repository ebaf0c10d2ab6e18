import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSageMakerCairn, waitForRun, type SageMakerTestCairn } from './sagemaker-cairn.ts';
import { cairnCli, waitFor } from './testkit.ts';

/**
 * The SageMaker adapter end to end: the real @aws-sdk/client-sagemaker against the wire-protocol
 * emulator, the sync engine as a pg-boss job, and every answer through the gateway.
 */

const ARN = (group: string, version: number) =>
  `arn:aws:sagemaker:eu-west-1:123456789012:model-package/${group}/${version}`;
const VERSION_ID = (group: string, version: number) => `modelVersion:sm-test:${ARN(group, version)}`;

let sm: SageMakerTestCairn;

beforeAll(async () => {
  sm = await startSageMakerCairn({
    // A second SageMaker account that cannot be reached, and a kind without an adapter yet.
    extraYaml: `  - name: sm-down
    kind: SAGEMAKER
    region: eu-west-1
    endpoint: http://127.0.0.1:9
    maxAttempts: 1
  - name: vertex-later
    kind: VERTEX_AI
    region: europe-west4
`,
  });
});

afterAll(async () => {
  await sm?.close();
});

describe('SageMaker sync', () => {
  it('brings model package groups, packages, endpoints, feature groups and lineage into the catalog', async () => {
    const answer = await sm.cairn.query(`{
      model(name: "churn-classifier") { id provider { name kind } versions { id version stage metrics params gitCommit } }
      endpoints(provider: "sm-test") { nodes { id name status trafficSplit { percent shadow deployment { id modelVersion { id version } } } } }
      featureViews(filter: { provider: "sm-test" }) { items { id name entity features { name dtype } } }
      providers { name kind status lastSyncAt lastError }
    }`);
    expect(answer.errors).toBeUndefined();
    const model = answer.data.model;
    expect(model).toMatchObject({
      id: 'model:sm-test:churn-classifier',
      provider: { name: 'sm-test', kind: 'SAGEMAKER' },
    });
    const byVersion = Object.fromEntries(model.versions.map((v: { version: number }) => [v.version, v]));
    expect(byVersion[1]).toMatchObject({ id: VERSION_ID('churn-classifier', 1), stage: 'ARCHIVED' });
    expect(byVersion[2]).toMatchObject({
      stage: 'PRODUCTION',
      metrics: { auc: 0.91, f1: 0.78 },
      params: { max_depth: '8' },
      gitCommit: '9c1e2f7',
    });
    expect(byVersion[3]).toMatchObject({ stage: 'STAGING', metrics: { auc: 0.93 } });

    expect(answer.data.endpoints.nodes).toHaveLength(1);
    const [endpoint] = answer.data.endpoints.nodes;
    expect(endpoint).toMatchObject({ id: 'endpoint:sm-test:churn-prod', status: 'IN_SERVICE' });
    const split = Object.fromEntries(
      endpoint.trafficSplit.map((s: any) => [s.deployment.id, [s.percent, s.deployment.modelVersion.id]]),
    );
    expect(split).toEqual({
      'deployment:sm-test:churn-prod/v2-primary': [90, VERSION_ID('churn-classifier', 2)],
      'deployment:sm-test:churn-prod/v3-canary': [10, VERSION_ID('churn-classifier', 3)],
    });

    const [view] = answer.data.featureViews.items;
    expect(view).toMatchObject({ id: 'featureView:sm-test:driver-activity/v1', entity: 'driver_id' });
    expect(view.features).toEqual([
      { name: 'trips_7d', dtype: 'INT64' },
      { name: 'cancel_rate', dtype: 'FLOAT64' },
      { name: 'recent_zones', dtype: 'STRING_LIST' },
    ]);
    const providers = Object.fromEntries(answer.data.providers.map((p: any) => [p.name, p]));
    expect(providers['sm-test']).toMatchObject({ status: 'OK', lastError: null });
    expect(providers['sm-test'].lastSyncAt).not.toBeNull();
    expect(providers['vertex-later']).toMatchObject({ kind: 'VERTEX_AI', status: 'NOT_SUPPORTED' });
    expect(providers['vertex-later'].lastError).toMatch(/VERTEX_AI/);
  });

  it('reports a provider it cannot reach as UNAVAILABLE without holding the others back', async () => {
    const down = await waitFor(async () => {
      const answer = await sm.cairn.query('{ providers { name status lastError lastSyncAt } }');
      const provider = answer.data.providers.find((p: { name: string }) => p.name === 'sm-down');
      return provider.status === 'UNAVAILABLE' ? provider : undefined;
    });
    expect(down.lastError).toMatch(/^sm-down: SageMaker \w+ failed/);
    expect(down.lastSyncAt).toBeNull();
    const answer = await sm.cairn.query('{ providers { name status } }');
    expect(answer.data.providers.find((p: { name: string }) => p.name === 'sm-test').status).toBe('OK');
  });

  it("imports the training job's input and the endpoint into the lineage graph", async () => {
    const dataset = 'dataset:sm-test:s3://cairn-demo/churn/train-2026-10.parquet';
    const answer = await sm.cairn.query(
      `query($id: ID!) { lineage(id: $id, direction: DOWNSTREAM) { nodes { id kind } edges { from to relation source } } }`,
      { id: dataset },
    );
    expect(answer.errors).toBeUndefined();
    const edges = answer.data.lineage.edges.map((e: any) => `${e.from} -${e.relation}/${e.source}-> ${e.to}`).sort();
    expect(edges).toEqual(
      [
        `${dataset} -TRAINED_ON/IMPORTED-> ${VERSION_ID('churn-classifier', 2)}`,
        `${VERSION_ID('churn-classifier', 2)} -DEPLOYED_AS/IMPORTED-> deployment:sm-test:churn-prod/v2-primary`,
        `deployment:sm-test:churn-prod/v2-primary -SERVED_BY/IMPORTED-> endpoint:sm-test:churn-prod`,
      ].sort(),
    );
  });

  it('a second sync with no changes creates and updates nothing and describes nothing again', async () => {
    sm.emulator.reset();
    const run = await sm.sync();
    expect(run).toMatchObject({ status: 'SUCCEEDED', created: 0, updated: 0, deleted: 0 });
    // 1 feature view, 3 models, 5 versions, 1 endpoint, 3 datasets, 3 edges
    expect(run.unchanged).toBe(16);
    for (const operation of ['DescribeModelPackage', 'DescribeEndpoint', 'DescribeEndpointConfig', 'DescribeModel']) {
      expect(sm.emulator.callsOf(operation), operation).toHaveLength(0);
    }
    // Global IDs are the same after every sync.
    const answer = await sm.cairn.query('{ model(name: "churn-classifier") { versions { id } } }');
    expect(answer.data.model.versions.map((v: { id: string }) => v.id).sort()).toEqual(
      [1, 2, 3].map((v) => VERSION_ID('churn-classifier', v)).sort(),
    );
  });

  it('sees metadata-only edits on a full sync (the listing shows no change for them)', async () => {
    const pkg = sm.emulator.state.packages.get(ARN('churn-classifier', 3))!;
    pkg.CustomerMetadataProperties = { ...pkg.CustomerMetadataProperties, 'metric:auc': '0.95' };
    expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED', updated: 0 });
    const full = await sm.sync({ full: true });
    expect(full).toMatchObject({ status: 'SUCCEEDED', created: 0, updated: 1 });
    const answer = await sm.cairn.query(`query($id: ID!) { modelVersion(id: $id) { metrics } }`, {
      id: VERSION_ID('churn-classifier', 3),
    });
    expect(answer.data.modelVersion.metrics.auc).toBe(0.95);
  });

  it('rejects syncProvider of an unknown provider (NOT_FOUND) and of the built-in one (NOT_SUPPORTED)', async () => {
    const unknown = await sm.cairn.query('mutation { syncProvider(input: { name: "nope" }) { id } }');
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const builtin = await sm.cairn.query('mutation { syncProvider(input: { name: "builtin" }) { id } }');
    expect(builtin.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
    const empty = await sm.cairn.query('mutation { syncProvider(input: { name: "" }) { id } }');
    expect(empty.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('syncs from the command line: `cairn sync --wait` exits 0 with the counts, 1 with the reason when the sync fails', async () => {
    const ok = await cairnCli(['sync', 'sm-test', '--wait', '--url', sm.cairn.url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^sync \S+ of sm-test: PENDING\n/);
    expect(ok.stdout.trim().split('\n').at(-1)).toMatch(
      /^SUCCEEDED: 0 created, 0 updated, 0 deleted, 16 unchanged \(\d+ pages\)$/,
    );
    const down = await cairnCli(['sync', 'sm-down', '--wait', '--url', sm.cairn.url]);
    expect(down.code).toBe(1);
    expect(down.stdout.trim().split('\n').at(-1)).toMatch(/^FAILED: .* — sm-down: SageMaker \w+ failed/);
    const unknown = await cairnCli(['sync', 'nope', '--url', sm.cairn.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^cairn: NOT_FOUND: /);
  });
});

describe('promotions of SageMaker versions', () => {
  const PROMOTE = `mutation($id: ID!, $to: Stage!) { promoteModelVersion(input: { modelVersionId: $id, to: $to }) {
    allowed applied promotion { status } violations { policy } } }`;

  it('write ModelApprovalStatus and ModelLifeCycle to SageMaker first, then the catalog', async () => {
    sm.emulator.reset();
    const answer = await sm.cairn.query(PROMOTE, { id: VERSION_ID('churn-classifier', 3), to: 'PRODUCTION' });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.promoteModelVersion).toMatchObject({
      allowed: true,
      applied: true,
      promotion: { status: 'APPLIED' },
    });
    const v3 = sm.emulator.state.packages.get(ARN('churn-classifier', 3))!;
    expect(v3).toMatchObject({
      ModelApprovalStatus: 'Approved',
      ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' },
    });
    // The previous production holder is archived at SageMaker too.
    const v2 = sm.emulator.state.packages.get(ARN('churn-classifier', 2))!;
    expect(v2).toMatchObject({ ModelApprovalStatus: 'Rejected', ModelLifeCycle: { Stage: 'Archived' } });
    expect(sm.emulator.callsOf('UpdateModelPackage').map((c) => c.input.ModelPackageArn)).toEqual([
      ARN('churn-classifier', 3),
      ARN('churn-classifier', 2),
    ]);
    const stages = await sm.cairn.query('{ model(name: "churn-classifier") { versions { version stage } } }');
    expect(Object.fromEntries(stages.data.model.versions.map((v: any) => [v.version, v.stage]))).toEqual({
      1: 'ARCHIVED',
      2: 'ARCHIVED',
      3: 'PRODUCTION',
    });
    // The next sync reads the same stages back from SageMaker.
    const run = await sm.sync();
    expect(run).toMatchObject({ status: 'SUCCEEDED', created: 0 });
    const after = await sm.cairn.query('{ model(name: "churn-classifier") { versions { version stage } } }');
    expect(Object.fromEntries(after.data.model.versions.map((v: any) => [v.version, v.stage]))).toEqual({
      1: 'ARCHIVED',
      2: 'ARCHIVED',
      3: 'PRODUCTION',
    });
  });

  it('send nothing to SageMaker when a policy denies them', async () => {
    const policy = await sm.cairn
      .query(`mutation { applyPolicy(input: { name: "fraud-precision", appliesTo: PRODUCTION, modelPattern: "fraud-*",
      expression: "candidate.metrics.precision_at_1pct >= 0.9", message: "precision too low", severity: BLOCK }) { name } }`);
    expect(policy.errors).toBeUndefined();
    sm.emulator.reset();
    const answer = await sm.cairn.query(PROMOTE, { id: VERSION_ID('fraud-scorer', 1), to: 'PRODUCTION' });
    expect(answer.data.promoteModelVersion).toMatchObject({
      allowed: false,
      applied: false,
      promotion: { status: 'DENIED' },
      violations: [{ policy: 'fraud-precision' }],
    });
    expect(sm.emulator.calls).toEqual([]);
    expect(sm.emulator.state.packages.get(ARN('fraud-scorer', 1))!.ModelApprovalStatus).toBe('PendingManualApproval');
  });

  it('answer UPSTREAM_UNAVAILABLE naming the provider when SageMaker keeps failing, and change nothing', async () => {
    sm.emulator.reset().fail(10, { operations: ['UpdateModelPackage'], status: 503, type: 'ServiceUnavailable' });
    const answer = await sm.cairn.query(PROMOTE, { id: VERSION_ID('churn-classifier', 1), to: 'STAGING' });
    expect(answer.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'sm-test' });
    // maxAttempts: 3, all answered 503 by SageMaker, each retried by the SDK.
    expect(sm.emulator.callsOf('UpdateModelPackage').map((c) => c.fault)).toEqual([
      'ServiceUnavailable',
      'ServiceUnavailable',
      'ServiceUnavailable',
    ]);
    const version = await sm.cairn.query(
      `query($id: ID!) { modelVersion(id: $id) { stage } promotions(modelVersionId: $id) { status } }`,
      { id: VERSION_ID('churn-classifier', 1) },
    );
    expect(version.data.modelVersion.stage).toBe('ARCHIVED');
    expect(version.data.promotions.map((p: { status: string }) => p.status)).toEqual(['FAILED']);
    sm.emulator.reset();
  });
});

describe('traffic of SageMaker endpoints', () => {
  it('setTrafficSplit through the gateway writes the variant weights to SageMaker first, and a bad split sends nothing', async () => {
    sm.emulator.reset();
    const SET = `mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { trafficSplit { percent shadow deployment { id } } } }`;
    const answer = await sm.cairn.query(SET, {
      input: {
        endpointId: 'endpoint:sm-test:churn-prod',
        split: [
          { deploymentId: 'deployment:sm-test:churn-prod/v2-primary', percent: 30 },
          { deploymentId: 'deployment:sm-test:churn-prod/v3-canary', percent: 70 },
        ],
      },
    });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.setTrafficSplit.trafficSplit.map((s: any) => [s.deployment.id, s.percent])).toEqual([
      ['deployment:sm-test:churn-prod/v2-primary', 30],
      ['deployment:sm-test:churn-prod/v3-canary', 70],
    ]);
    expect(
      sm.emulator.state.endpoints.get('churn-prod')!.ProductionVariants.map((v) => [v.VariantName, v.CurrentWeight]),
    ).toEqual([
      ['v2-primary', 30],
      ['v3-canary', 70],
    ]);
    expect(sm.emulator.callsOf('UpdateEndpointWeightsAndCapacities')).toHaveLength(1);

    sm.emulator.reset();
    const bad = await sm.cairn.query(SET, {
      input: {
        endpointId: 'endpoint:sm-test:churn-prod',
        split: [{ deploymentId: 'deployment:sm-test:churn-prod/v2-primary', percent: 60 }],
      },
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(sm.emulator.callsOf('UpdateEndpointWeightsAndCapacities')).toHaveLength(0);
    // The next sync reads back what SageMaker routes by: nothing to change.
    expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED', created: 0, updated: 1 });
    const after = await sm.cairn.query('{ endpoint(id: "endpoint:sm-test:churn-prod") { trafficSplit { percent } } }');
    expect(after.data.endpoint.trafficSplit.map((s: { percent: number }) => s.percent)).toEqual([30, 70]);
  });
});

describe('faults and deletions', () => {
  it('retries throttling with the SDK, then reports the provider UNAVAILABLE with its last error', async () => {
    sm.emulator.reset().throttle(2, ['ListEndpoints']);
    const retried = await sm.sync();
    expect(retried.status).toBe('SUCCEEDED');
    expect(sm.emulator.callsOf('ListEndpoints').map((c) => c.fault)).toEqual([
      'ThrottlingException',
      'ThrottlingException',
      null,
    ]);

    sm.emulator.reset().throttle(100, ['ListEndpoints']);
    const failed = await sm.sync();
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toMatch(/sm-test: SageMaker ListEndpoints failed after 3 attempt\(s\): ThrottlingException/);
    const providers = await sm.cairn.query('{ providers { name status lastError lastSyncAt } }');
    const provider = providers.data.providers.find((p: { name: string }) => p.name === 'sm-test');
    expect(provider).toMatchObject({ status: 'UNAVAILABLE' });
    expect(provider.lastError).toMatch(/ThrottlingException/);
    expect(JSON.stringify(providers)).not.toContain('emulator-secret');

    sm.emulator.reset();
    expect((await sm.sync()).status).toBe('SUCCEEDED');
    const recovered = await sm.cairn.query('{ providers { name status lastError } }');
    expect(recovered.data.providers.find((p: { name: string }) => p.name === 'sm-test')).toMatchObject({
      status: 'OK',
      lastError: null,
    });
  });

  it('never runs two syncs of one provider at once: the second waits for the lease, then runs', async () => {
    const { db, services } = sm.cairn;
    const [a, b] = await Promise.all(
      [1, 2].map(() => db.syncRun.create({ data: { providerName: 'sm-test', trigger: 'REQUEST' } })),
    );
    await Promise.all([services.sync.execute(a!.id), services.sync.execute(b!.id)]);
    const runs = await db.syncRun.findMany({ where: { id: { in: [a!.id, b!.id] } } });
    expect(runs.map((r) => r.status).sort()).toEqual(['PENDING', 'SUCCEEDED']);
    const waiting = runs.find((r) => r.status === 'PENDING')!;
    expect(await waitForRun(sm.cairn, waiting.id)).toMatchObject({ status: 'SUCCEEDED', created: 0, updated: 0 });
  });

  it('a failed sync removes nothing; the next one marks the deleted endpoint and ends its lineage edges', async () => {
    const before = new Date();
    sm.emulator.state.deleteEndpoint('churn-prod');
    sm.emulator.state.deleteModelPackage(ARN('demand-forecast', 1));
    // The lineage listing (after endpoints) keeps failing: no deletion may be swept.
    sm.emulator.reset().fail(100, { operations: ['ListAssociations'] });
    const failed = await sm.sync();
    expect(failed).toMatchObject({ status: 'FAILED', deleted: 0 });
    const still = await sm.cairn.query('{ endpoint(id: "endpoint:sm-test:churn-prod") { status } }');
    expect(still.data.endpoint.status).toBe('IN_SERVICE');

    sm.emulator.reset();
    const run = await sm.sync();
    expect(run).toMatchObject({ status: 'SUCCEEDED', deleted: 2 });
    const answer = await sm.cairn.query(`{
      endpoint(id: "endpoint:sm-test:churn-prod") { status deployments { nodes { id status } } }
      now: lineage(id: "endpoint:sm-test:churn-prod", direction: UPSTREAM) { edges { relation } }
      then: lineage(id: "endpoint:sm-test:churn-prod", direction: UPSTREAM, asOf: "${before.toISOString()}") { edges { relation } }
    }`);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.endpoint.status).toBe('DELETED');
    expect(answer.data.endpoint.deployments.nodes.map((d: { status: string }) => d.status)).toEqual([
      'RETIRED',
      'RETIRED',
    ]);
    expect(answer.data.now.edges).toEqual([]);
    expect(answer.data.then.edges.map((e: { relation: string }) => e.relation).sort()).toEqual([
      'DEPLOYED_AS',
      'DEPLOYED_AS',
      'SERVED_BY',
      'SERVED_BY',
      'TRAINED_ON',
      'TRAINED_ON',
    ]);
    const removed = await sm.cairn.query(
      `query($id: ID!) { modelVersion(id: $id) { removedAt } kept: modelVersion(id: "${VERSION_ID('churn-classifier', 2)}") { removedAt } }`,
      { id: VERSION_ID('demand-forecast', 1) },
    );
    expect(removed.data.modelVersion.removedAt).not.toBeNull();
    expect(removed.data.kept.removedAt).toBeNull();

    // Unchanged afterwards: a third sync deletes nothing more.
    expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED', deleted: 0, created: 0, updated: 0 });
  });
});
