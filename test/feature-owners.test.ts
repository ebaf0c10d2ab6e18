import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { BuiltinFeatureStoreProvider } from '../adapters/builtin/feature-store.ts';
import { MemoryOnlineStore } from '../adapters/builtin/online-store/memory.ts';
import { createProvider, ProviderRegistry } from '../adapters/providers.ts';
import { startModelServer, type FakeModelServer } from '../emulators/model-server.ts';
import { startSageMakerCairn, type SageMakerTestCairn } from './sagemaker-cairn.ts';
import type { Database } from '../platform/database.ts';
import { FEATURE_VIEW_INPUT } from './testkit.ts';

/**
 * Feature operations go to the owner of the feature view through its `features` capability: the
 * built-in store for built-in views; a synced SageMaker feature group (its adapter has no such
 * capability yet) answers NOT_SUPPORTED naming the provider and the operation, and nothing is written.
 */

const CLOUD_VIEW = 'driver-activity';
const CLOUD_VIEW_ID = `featureView:sm-test:${CLOUD_VIEW}/v1`;
let sm: SageMakerTestCairn;
let model: FakeModelServer;

beforeAll(async () => {
  sm = await startSageMakerCairn();
  model = await startModelServer({ name: 'eta', score: 1 });
});
afterAll(async () => {
  await sm?.close();
  await model?.close();
});

const t = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

async function waitForRun(id: string) {
  for (;;) {
    const run = (await sm.cairn.data(`query($id: ID!) { materializationRun(id: $id) { status } }`, { id }))
      .materializationRun;
    if (run.status === 'SUCCEEDED' || run.status === 'FAILED') return run.status as string;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a feature view owned by a provider without the features capability', () => {
  it('is a synced SageMaker feature group', async () => {
    const { featureView } = await sm.cairn.data(
      `{ featureView(name: "${CLOUD_VIEW}") { id provider { name kind } features { name } } }`,
    );
    expect(featureView).toMatchObject({ id: CLOUD_VIEW_ID, provider: { name: sm.provider, kind: 'SAGEMAKER' } });
    expect(featureView.features.length).toBeGreaterThan(0);
  });

  it('answers onlineFeatures with NOT_SUPPORTED naming the provider and the operation', async () => {
    const answer = await sm.cairn.query(
      `{ onlineFeatures(featureView: "${CLOUD_VIEW}", entityKeys: ["d1"]) { entityKey values } }`,
    );
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_SUPPORTED',
      provider: sm.provider,
      operation: 'onlineFeatures',
    });
    expect(answer.errors?.[0]?.message).toBe(`provider ${sm.provider} does not support onlineFeatures`);
  });

  it('answers ingestFeatures with NOT_SUPPORTED and writes nothing: no offline row, no quality check, no audit event', async () => {
    const answer = await sm.cairn.query(
      `mutation($input: IngestFeaturesInput!) { ingestFeatures(input: $input) { accepted } }`,
      {
        input: { featureView: CLOUD_VIEW, rows: [{ entityKey: 'd1', eventTime: t(5), values: { trips_7d: 4 } }] },
      },
    );
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_SUPPORTED',
      provider: sm.provider,
      operation: 'ingestFeatures',
    });
    const { db } = sm.cairn;
    expect(await db.offlineFeatureRow.count({ where: { featureView: CLOUD_VIEW } })).toBe(0);
    expect(await db.featureCheckResult.count({ where: { feature: { featureView: { name: CLOUD_VIEW } } } })).toBe(0);
    expect(await db.auditEvent.count({ where: { subjectId: CLOUD_VIEW_ID } })).toBe(0);
  });

  it('answers materialize with NOT_SUPPORTED and records no run (so queues no job) and no audit event', async () => {
    const answer = await sm.cairn.query(`mutation { materialize(input: { featureView: "${CLOUD_VIEW}" }) { id } }`);
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_SUPPORTED',
      provider: sm.provider,
      operation: 'materialize',
    });
    expect(await sm.cairn.db.materializationRun.count({ where: { featureView: CLOUD_VIEW } })).toBe(0);
    expect(await sm.cairn.db.auditEvent.count({ where: { subjectId: CLOUD_VIEW_ID } })).toBe(0);
  });

  it('answers createTrainingDataset with NOT_SUPPORTED and records no dataset, training rows or audit event', async () => {
    const answer = await sm.cairn.query(
      `mutation($input: CreateTrainingDatasetInput!) { createTrainingDataset(input: $input) { id } }`,
      {
        input: {
          name: 'cloud-training',
          features: [`${CLOUD_VIEW}:trips_7d`],
          entities: [{ entityKey: 'd1', eventTime: t(1) }],
        },
      },
    );
    expect(answer.data).toBeNull();
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_SUPPORTED',
      provider: sm.provider,
      operation: 'createTrainingDataset',
    });
    expect(answer.errors?.[0]?.message).toBe(`provider ${sm.provider} does not support createTrainingDataset`);
    const { db } = sm.cairn;
    expect(await db.dataset.count({ where: { name: 'cloud-training' } })).toBe(0);
    expect(await db.auditEvent.count({ where: { action: 'createTrainingDataset' } })).toBe(0);
    // Refused before the join: no training rows were cut (this process makes no other dataset).
    expect(await db.datasetRow.count()).toBe(0);
  });

  it('fails an enriched inference call with 501 NOT_SUPPORTED before the model server is called', async () => {
    const { registerModelVersion } = await sm.cairn.data(
      `mutation { registerModelVersion(input: { model: "eta", artifactUri: "s3://m/eta/1" }) { id } }`,
    );
    const { createEndpoint } = await sm.cairn.data(
      `mutation { createEndpoint(input: { name: "eta-cloud-features" }) { id } }`,
    );
    await sm.cairn.data(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
      input: {
        endpointId: createEndpoint.id,
        modelVersionId: registerModelVersion.id,
        strategy: 'RECREATE',
        modelServerUrl: model.url,
        featureView: CLOUD_VIEW,
        entityKeyField: 'driver_id',
      },
    });
    const response = await fetch(`${sm.cairn.url}/endpoints/eta-cloud-features/predict`, {
      method: 'POST',
      body: JSON.stringify({ driver_id: 'd1' }),
    });
    expect(response.status).toBe(501);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('NOT_SUPPORTED');
    expect(body.error.message).toContain(`provider ${sm.provider} does not support`);
    expect(body.error.message).toContain(CLOUD_VIEW);
    expect(model.calls.predict).toBe(0);
  });

  it('leaves a built-in view of the same process served by the built-in store', async () => {
    await sm.cairn.data(`mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { id } }`, {
      input: { name: 'drivers', entity: 'driver', joinKey: 'driver_id', features: [{ name: 'trips', dtype: 'INT64' }] },
    });
    const ingest = await sm.cairn.data(
      `mutation($input: IngestFeaturesInput!) { ingestFeatures(input: $input) { accepted } }`,
      {
        input: { featureView: 'drivers', rows: [{ entityKey: 'd1', eventTime: t(5), values: { trips: 4 } }] },
      },
    );
    expect(ingest.ingestFeatures.accepted).toBe(1);
    // The deprecated form (`featureView:` rather than `input:`), kept until it is removed: it still materializes.
    const { materialize } = await sm.cairn.data(`mutation { materialize(featureView: "drivers") { id } }`);
    expect(await waitForRun(materialize.id)).toBe('SUCCEEDED');
    const { onlineFeatures } = await sm.cairn.data(
      `{ onlineFeatures(featureView: "drivers", entityKeys: ["d1"]) { entityKey values } }`,
    );
    expect(onlineFeatures).toEqual([{ entityKey: 'd1', values: { trips: 4 } }]);
  });
});

describe('the provider registry', () => {
  // Stand-ins for the built-in provider's parts: building it connects to nothing.
  const builtinDeps = {
    db: {} as Database,
    pool: {} as pg.Pool,
    onlineStore: new MemoryOnlineStore(),
    deploymentStats: { statsSince: () => new Map() },
  };

  it('builds the built-in provider like any other kind, declaring every capability but a catalog source', () => {
    const builtin = createProvider({ name: 'builtin', kind: 'BUILTIN' }, { builtin: builtinDeps });
    expect(builtin).toMatchObject({ name: 'builtin', kind: 'BUILTIN' });
    expect(builtin.features).toBeInstanceOf(BuiltinFeatureStoreProvider);
    expect(builtin.registry?.providerName).toBe('builtin');
    expect(builtin.deployments?.providerName).toBe('builtin');
    expect(builtin.catalog).toBeUndefined();

    const cloud = createProvider({
      name: 'sm-x',
      kind: 'SAGEMAKER',
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: 'default-chain',
      syncIntervalSeconds: 300,
      maxAttempts: 1,
      retryMode: 'standard',
    });
    const registry = new ProviderRegistry([builtin, cloud]);
    expect(registry.capability('builtin', 'features', 'onlineFeatures')).toBe(builtin.features);
    expect(registry.capability('sm-x', 'catalog', 'syncProvider')).toBe(cloud.catalog);
    expect(registry.all('registry').map((r) => r.providerName)).toEqual(['builtin', 'sm-x']);
    return cloud.close();
  });

  it('answers NOT_SUPPORTED naming provider and operation for a capability not declared, or a provider not running here', () => {
    const builtin = createProvider({ name: 'builtin', kind: 'BUILTIN' }, { builtin: builtinDeps });
    const registry = new ProviderRegistry([builtin]);
    expect(() => registry.capability('builtin', 'catalog', 'syncProvider')).toThrow(
      expect.objectContaining({ code: 'NOT_SUPPORTED', details: { provider: 'builtin', operation: 'syncProvider' } }),
    );
    expect(() => registry.capability('vertex-later', 'features', 'materialize')).toThrow(
      expect.objectContaining({
        code: 'NOT_SUPPORTED',
        details: { provider: 'vertex-later', operation: 'materialize' },
      }),
    );
  });

  it('refuses a built-in provider under another name, and two instances of one name', () => {
    expect(() => createProvider({ name: 'mine', kind: 'BUILTIN' }, { builtin: builtinDeps })).toThrow(/named builtin/);
    const builtin = createProvider({ name: 'builtin', kind: 'BUILTIN' }, { builtin: builtinDeps });
    expect(() => new ProviderRegistry([builtin, builtin])).toThrow(/two provider instances/);
  });

  it('is where the running process finds the built-in feature store', () => {
    expect(sm.cairn.services.providerInstances.capability('builtin', 'features', 'onlineFeatures')).toBeInstanceOf(
      BuiltinFeatureStoreProvider,
    );
    expect(sm.cairn.services.providerInstances.get(sm.provider)?.features).toBeUndefined();
  });
});

describe('views of one name at two providers', () => {
  it('featureView(name, provider) tells them apart; without provider the name is refused, naming both', async () => {
    await sm.cairn.data('mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { id } }', {
      input: { ...FEATURE_VIEW_INPUT, name: CLOUD_VIEW },
    });
    const builtin = await sm.cairn.data(`{ featureView(name: "${CLOUD_VIEW}", provider: "builtin") { id } }`);
    expect(builtin.featureView.id).toBe(`featureView:builtin:${CLOUD_VIEW}/v1`);
    const cloud = await sm.cairn.data(`{ featureView(name: "${CLOUD_VIEW}", provider: "${sm.provider}") { id } }`);
    expect(cloud.featureView.id).toBe(CLOUD_VIEW_ID);
    const ambiguous = await sm.cairn.query(`{ featureView(name: "${CLOUD_VIEW}") { id } }`);
    expect(ambiguous.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(ambiguous.errors?.[0]?.message).toContain(`exist at builtin, ${sm.provider}: name the provider`);
    const none = await sm.cairn.data(`{ featureView(name: "${CLOUD_VIEW}", provider: "nowhere") { id } }`);
    expect(none.featureView).toBeNull();
  });

  it('ingests and looks up online values of the one the caller names; without provider both are refused', async () => {
    const ingest = `mutation($input: IngestFeaturesInput!) { ingestFeatures(input: $input) { accepted rejected } }`;
    const eventTime = new Date(Date.now() - 60_000).toISOString();
    const rows = [{ entityKey: 'd1', eventTime, values: { trips_today: 4, avg_rating: 4.5 } }];
    const refused = await sm.cairn.query(ingest, { input: { featureView: CLOUD_VIEW, rows } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toContain('name the provider');
    const accepted = await sm.cairn.data(ingest, { input: { featureView: CLOUD_VIEW, provider: 'builtin', rows } });
    expect(accepted.ingestFeatures).toEqual({ accepted: 1, rejected: 0 });
    const { materialize } = await sm.cairn.data(
      'mutation($input: MaterializeInput!) { materialize(input: $input) { id } }',
      { input: { featureView: CLOUD_VIEW, provider: 'builtin' } },
    );
    expect(await waitForRun(materialize.id)).toBe('SUCCEEDED');
    const lookup = (provider: string | null) =>
      sm.cairn.query(
        'query($view: String!, $provider: String) { onlineFeatures(featureView: $view, entityKeys: ["d1"], provider: $provider) { entityKey values } }',
        { view: CLOUD_VIEW, provider },
      );
    expect((await lookup(null)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((await lookup('builtin')).data?.onlineFeatures).toEqual([
      { entityKey: 'd1', values: { trips_today: 4, avg_rating: 4.5 } },
    ]);
    const cloud = await lookup(sm.provider);
    expect(cloud.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_SUPPORTED', provider: sm.provider });
  });
});
