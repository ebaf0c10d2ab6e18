import { describe, expect, it } from 'vitest';
import { SageMakerDeploymentProvider } from '../adapters/sagemaker/deployment.ts';
import { createSageMakerClient } from '../adapters/sagemaker/client.ts';
import { SageMakerModelRegistryProvider } from '../adapters/sagemaker/model-registry.ts';
import { SageMakerCatalogSource } from '../adapters/sagemaker/catalog-source.ts';
import type { CloudProviderConfig } from '../adapters/core/provider-config.ts';
import { modelRegistryContract } from './contracts/model-registry.contract.ts';
import { deploymentProviderContract } from './contracts/deployment-provider.contract.ts';
import { percentsFromWeights, shadowPercent } from '../adapters/sagemaker/mapping.ts';
import { afterAll } from 'vitest';
import type { TestCairn } from './testkit.ts';
import { startSageMakerCairn } from './sagemaker-cairn.ts';
import { EMULATOR_CREDENTIALS, startSageMakerEmulator, type SageMakerEmulator } from '../emulators/sagemaker/index.ts';
import { startTestCairn } from './testkit.ts';

/** The SageMaker owners (model registry, endpoints) against the emulator, through the real SDK. */

const config = (emulator: SageMakerEmulator, maxAttempts = 3): CloudProviderConfig => ({
  name: 'sm-contract',
  kind: 'SAGEMAKER',
  region: emulator.state.region,
  endpoint: emulator.url,
  credentials: 'default-chain',
  syncIntervalSeconds: 3600,
  maxAttempts,
  retryMode: 'standard',
});
const client = (emulator: SageMakerEmulator, maxAttempts = 3) =>
  createSageMakerClient(config(emulator, maxAttempts), { credentials: EMULATOR_CREDENTIALS, backoffMs: () => 1 });

describe('the SageMaker client', () => {
  it.each(['standard', 'adaptive'] as const)(
    'retries throttling and 5xx in %s mode, up to maxAttempts',
    async (retryMode) => {
      const emulator = await startSageMakerEmulator();
      try {
        const sageMaker = createSageMakerClient(
          { ...config(emulator, 4), retryMode },
          { credentials: EMULATOR_CREDENTIALS, backoffMs: () => 1 },
        );
        const registry = new SageMakerModelRegistryProvider('sm-contract', sageMaker);
        const arn = [...emulator.state.packages.keys()].find((a) => a.includes('fraud-scorer/1'))!;
        emulator
          .throttle(2, ['UpdateModelPackage'])
          .fail(1, { operations: ['UpdateModelPackage'], status: 503, type: 'ServiceUnavailable' });
        await registry.transitionStage({ id: 'x', nativeId: arn, modelName: 'fraud-scorer', version: 1 }, 'STAGING');
        expect(emulator.callsOf('UpdateModelPackage').map((c) => c.fault)).toEqual([
          'ThrottlingException',
          'ThrottlingException',
          'ServiceUnavailable',
          null,
        ]);
        emulator.reset().fail(4, { operations: ['UpdateModelPackage'] });
        await expect(
          registry.transitionStage({ id: 'x', nativeId: arn, modelName: 'fraud-scorer', version: 1 }, 'STAGING'),
        ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
        expect(emulator.callsOf('UpdateModelPackage')).toHaveLength(4);
      } finally {
        await emulator.close();
      }
    },
  );

  it('refuses a request without a valid SigV4 Authorization header, as SageMaker does', async () => {
    const emulator = await startSageMakerEmulator();
    try {
      const response = await fetch(emulator.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.ListEndpoints' },
        body: '{}',
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        __type: 'MissingAuthenticationTokenException',
        message: 'Missing Authentication Token',
      });
      const wrongKey = createSageMakerClient(config(emulator, 1), {
        credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'x' },
      });
      const error = await new SageMakerDeploymentProvider('sm-contract', wrongKey)
        .applyTrafficSplit(
          { id: 'endpoint:sm-contract:churn-prod', nativeId: 'churn-prod', name: 'churn-prod' },
          { live: [], shadow: [] },
        )
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect((error as Error).message).toMatch(/UnrecognizedClientException/);
    } finally {
      await emulator.close();
    }
  });
});

describe('SageMakerCatalogSource', () => {
  it('maps an endpoint whose config or variant model was deleted in SageMaker without failing the sync', async () => {
    const emulator = await startSageMakerEmulator();
    try {
      const endpoints = () =>
        new SageMakerCatalogSource('sm-contract', client(emulator)).collections().find((c) => c.kind === 'endpoint')!;
      emulator.state.models.delete('churn-v3');
      const [partial] = await endpoints().describe([{ nativeId: 'churn-prod', changeToken: null }]);
      expect(partial).toMatchObject({
        name: 'churn-prod',
        status: 'IN_SERVICE',
        deployments: [{ nativeId: 'churn-prod/v2-primary', trafficPercent: 90 }],
      });
      emulator.state.endpointConfigs.delete('churn-prod-config');
      const [bare] = await endpoints().describe([{ nativeId: 'churn-prod', changeToken: null }]);
      expect(bare).toMatchObject({ name: 'churn-prod', deployments: [] });
      const [gone] = await endpoints().describe([{ nativeId: 'no-such-endpoint', changeToken: null }]);
      expect(gone).toBeNull();
    } finally {
      await emulator.close();
    }
  });
});

// One emulator and one Cairn for the deployment contract (each of its tests makes endpoints of its own names).
let deploymentContract: Promise<{ emulator: SageMakerEmulator; cairn: TestCairn }> | undefined;
afterAll(async () => {
  if (!deploymentContract) return;
  const { emulator, cairn } = await deploymentContract;
  await cairn.close();
  await emulator.close();
});

deploymentProviderContract('SageMaker', async () => {
  deploymentContract ??= (async () => {
    const emulator = await startSageMakerEmulator({ seed: () => {} });
    const cairn = await startTestCairn();
    await cairn.db.provider.create({ data: { name: 'sm-contract', kind: 'SAGEMAKER' } });
    return { emulator, cairn };
  })();
  const { emulator, cairn } = await deploymentContract;
  const deploymentId = (endpoint: string, variant: string) => `deployment:sm-contract:${endpoint}/${variant}`;
  return {
    provider: new SageMakerDeploymentProvider('sm-contract', client(emulator)),
    db: cairn.db,
    close: async () => {},
    modelServerUrl: 'http://127.0.0.1:9/',
    requiresModelServerUrl: false,
    // Endpoints and variants are made the way SageMaker tooling makes them, at weight 0.
    createAtOwner: async (name, roles) => {
      const variants = roles.map((role, i) => {
        const pkg = emulator.state.addModelPackage(`${name}-group`, {});
        emulator.state.addModel(`${name}-m${i + 1}`, pkg);
        return { role, name: `v${i + 1}`, model: `${name}-m${i + 1}`, weight: 0 };
      });
      emulator.state.addEndpoint(
        name,
        variants.filter((v) => v.role === 'live'),
        variants.filter((v) => v.role === 'shadow'),
      );
      return { endpointNativeId: name, deploymentNativeIds: variants.map((v) => `${name}/${v.name}`) };
    },
    // What SageMaker routes by: the endpoint's current variant weights.
    readSplit: async (endpoint) => {
      const state = emulator.state.endpoints.get(endpoint.nativeId)!;
      const weights = state.ProductionVariants.map((v) => v.CurrentWeight);
      const percents = percentsFromWeights(weights);
      const total = weights.reduce((sum, w) => sum + w, 0);
      return {
        live: Object.fromEntries(
          state.ProductionVariants.flatMap((v, i) =>
            percents[i]! > 0 ? [[deploymentId(endpoint.nativeId, v.VariantName), percents[i]!]] : [],
          ),
        ),
        shadow: Object.fromEntries(
          (state.ShadowProductionVariants ?? []).flatMap((v) => {
            const percent = shadowPercent(v.CurrentWeight, total);
            return percent > 0 ? [[deploymentId(endpoint.nativeId, v.VariantName), percent]] : [];
          }),
        ),
      };
    },
  };
});

modelRegistryContract('SageMaker', async () => {
  // An empty account: versions are created in the emulator the way a pipeline's RegisterModel would.
  const sm = await startSageMakerCairn({ seed: () => {}, provider: 'sm-contract' });
  return {
    provider: new SageMakerModelRegistryProvider('sm-contract', client(sm.emulator)),
    db: sm.cairn.db,
    createVersion: async (modelName, version) => {
      const pkg = sm.emulator.state.addModelPackage(modelName, {});
      expect(pkg.ModelPackageVersion).toBe(version);
      return pkg.ModelPackageArn;
    },
    close: () => sm.close(),
  };
});

describe('SageMakerModelRegistryProvider', () => {
  it('writes the stage to SageMaker, never to the catalog, reads it back, and leaves SageMaker alone when it refuses', async () => {
    const emulator = await startSageMakerEmulator();
    const cairn = await startTestCairn();
    try {
      const registry = new SageMakerModelRegistryProvider('sm-contract', client(emulator, 2));
      await cairn.db.provider.create({ data: { name: 'sm-contract', kind: 'SAGEMAKER' } });
      const model = await cairn.db.registeredModel.create({
        data: {
          id: 'model:sm-contract:fraud-scorer',
          providerName: 'sm-contract',
          name: 'fraud-scorer',
          nativeId: 'fraud-scorer',
        },
      });
      const arn = [...emulator.state.packages.keys()].find((a) => a.includes('fraud-scorer/1'))!;
      const version = await cairn.db.modelVersion.create({
        data: { id: `modelVersion:sm-contract:${arn}`, modelId: model.id, version: 1, nativeId: arn },
      });
      const ref = { id: version.id, nativeId: arn, modelName: 'fraud-scorer', version: 1 };

      await registry.transitionStage(ref, 'STAGING');
      expect(emulator.state.packages.get(arn)).toMatchObject({
        ModelApprovalStatus: 'PendingManualApproval',
        ModelLifeCycle: { Stage: 'Staging' },
      });
      // The promotion service records the stage once SageMaker accepted; the adapter never does.
      expect((await cairn.db.modelVersion.findUnique({ where: { id: version.id } }))!.stage).toBe('NONE');
      expect(await registry.stageOf(ref)).toBe('STAGING');
      expect(await registry.stageOf({ ...ref, nativeId: arn.replace(/\/1$/, '/999') })).toBeNull();

      emulator.fail(5, { operations: ['UpdateModelPackage'] });
      const error = await registry.transitionStage(ref, 'PRODUCTION').catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { provider: 'sm-contract' } });
      // Neither the secret key nor the request's signature travels with the error.
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      expect(text).not.toContain(EMULATOR_CREDENTIALS.secretAccessKey);
      expect(text).not.toMatch(/AWS4-HMAC-SHA256|Signature=/);
      expect(emulator.callsOf('UpdateModelPackage').filter((c) => c.fault)).toHaveLength(2);
      expect(emulator.state.packages.get(arn)!.ModelApprovalStatus).toBe('PendingManualApproval');
      expect(await registry.stageOf(ref)).toBe('STAGING');
    } finally {
      await cairn.close();
      await emulator.close();
    }
  });
});

describe('SageMakerDeploymentProvider', () => {
  const endpoint = { id: 'endpoint:sm-contract:churn-prod', nativeId: 'churn-prod', name: 'churn-prod' };
  const share = (variant: string, percent: number) => ({
    deploymentId: `deployment:sm-contract:churn-prod/${variant}`,
    nativeId: `churn-prod/${variant}`,
    percent,
  });

  async function withProvider(
    run: (provider: SageMakerDeploymentProvider, emulator: SageMakerEmulator) => Promise<void>,
  ) {
    const emulator = await startSageMakerEmulator();
    try {
      await run(new SageMakerDeploymentProvider('sm-contract', client(emulator)), emulator);
    } finally {
      await emulator.close();
    }
  }

  it('applies a whole split with one UpdateEndpointWeightsAndCapacities; variants not named get 0', async () => {
    await withProvider(async (provider, emulator) => {
      await provider.applyTrafficSplit(endpoint, { live: [share('v3-canary', 100)], shadow: [] });
      const variants = emulator.state.endpoints.get('churn-prod')!.ProductionVariants;
      expect(variants.map((v) => [v.VariantName, v.CurrentWeight])).toEqual([
        ['v2-primary', 0],
        ['v3-canary', 100],
      ]);
      expect(emulator.callsOf('UpdateEndpointWeightsAndCapacities')).toHaveLength(1);

      await provider.applyTrafficSplit(endpoint, {
        live: [share('v2-primary', 75), share('v3-canary', 25)],
        shadow: [],
      });
      expect(emulator.state.endpoints.get('churn-prod')!.ProductionVariants.map((v) => v.CurrentWeight)).toEqual([
        75, 25,
      ]);
    });
  });

  it('refuses variants the endpoint does not have (BAD_USER_INPUT) and sends no update', async () => {
    await withProvider(async (provider, emulator) => {
      const error = await provider
        .applyTrafficSplit(endpoint, { live: [share('ghost', 100)], shadow: [] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(emulator.callsOf('UpdateEndpointWeightsAndCapacities')).toHaveLength(0);
      expect(emulator.state.endpoints.get('churn-prod')!.ProductionVariants.map((v) => v.CurrentWeight)).toEqual([
        9, 1,
      ]);
    });
  });

  it('answers NOT_FOUND for an endpoint SageMaker does not have, UPSTREAM_UNAVAILABLE when it keeps failing (split unchanged)', async () => {
    await withProvider(async (provider, emulator) => {
      const missing = await provider
        .applyTrafficSplit({ ...endpoint, nativeId: 'gone' }, { live: [], shadow: [] })
        .catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: 'NOT_FOUND' });
      emulator.throttle(10, ['UpdateEndpointWeightsAndCapacities']);
      const throttled = await provider
        .applyTrafficSplit(endpoint, { live: [share('v3-canary', 100)], shadow: [] })
        .catch((e: unknown) => e);
      expect(throttled).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(emulator.callsOf('UpdateEndpointWeightsAndCapacities').map((c) => c.fault)).toEqual([
        'ThrottlingException',
        'ThrottlingException',
        'ThrottlingException',
      ]);
      expect(emulator.state.endpoints.get('churn-prod')!.ProductionVariants.map((v) => v.CurrentWeight)).toEqual([
        9, 1,
      ]);
    });
  });

  it('declares what SageMaker does not let Cairn do as NOT_SUPPORTED', async () => {
    await withProvider(async (provider) => {
      await expect(provider.createEndpoint()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
      await expect(provider.createDeployment()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
      await expect(provider.deploymentStats()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    });
  });

  it('a traffic change reaches SageMaker and the next sync reads the same split back', async () => {
    const sm = await startSageMakerCairn({ provider: 'sm-contract' });
    try {
      const provider = sm.cairn.services.providerInstances.capability('sm-contract', 'deployments', 'contract');
      await provider.applyTrafficSplit(endpoint, {
        live: [share('v2-primary', 40), share('v3-canary', 60)],
        shadow: [],
      });
      expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED', updated: 1 });
      const answer = await sm.cairn.query(
        '{ endpoint(id: "endpoint:sm-contract:churn-prod") { trafficSplit { percent deployment { id } } } }',
      );
      expect(answer.data.endpoint.trafficSplit.map((s: any) => [s.deployment.id, s.percent])).toEqual([
        ['deployment:sm-contract:churn-prod/v2-primary', 40],
        ['deployment:sm-contract:churn-prod/v3-canary', 60],
      ]);
    } finally {
      await sm.close();
    }
  });
});
