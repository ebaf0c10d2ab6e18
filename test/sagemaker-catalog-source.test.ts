import { afterAll } from 'vitest';
import { createSageMakerClient } from '../adapters/sagemaker/client.ts';
import { SageMakerCatalogSource } from '../adapters/sagemaker/catalog-source.ts';
import { sageMakerStageOf } from '../adapters/sagemaker/mapping.ts';
import { EMULATOR_CREDENTIALS, startSageMakerEmulator } from '../emulators/sagemaker/index.ts';
import { catalogSourceContract } from './contracts/catalog-source.contract.ts';
import { startTestCairn, type TestCairn } from './testkit.ts';

/**
 * The SageMaker catalog source against the emulator, through the real SDK (its paging, errors and
 * retries): one Cairn for the whole contract, a fresh emulator account and provider per test.
 */
let shared: Promise<TestCairn> | undefined;
let accounts = 0;
afterAll(async () => {
  await (await shared)?.close();
});

catalogSourceContract('SageMaker', async () => {
  shared ??= startTestCairn();
  const cairn = await shared;
  const emulator = await startSageMakerEmulator({ seed: () => {} });
  const providerName = `sm-catalog-${++accounts}`;
  await cairn.db.provider.create({ data: { name: providerName, kind: 'SAGEMAKER' } });
  const client = createSageMakerClient(
    {
      name: providerName,
      kind: 'SAGEMAKER',
      region: emulator.state.region,
      endpoint: emulator.url,
      credentials: 'default-chain',
      syncIntervalSeconds: 3600,
      maxAttempts: 2,
      retryMode: 'standard',
    },
    { credentials: EMULATOR_CREDENTIALS, backoffMs: () => 1 },
  );
  return {
    providerName,
    db: cairn.db,
    jobs: cairn.jobs,
    source: ({ pageSize }) =>
      new SageMakerCatalogSource(providerName, client, { listPageSize: pageSize, syncPageSize: pageSize }),
    // A pipeline's RegisterModel step: the next version of the package group.
    createVersions: async (model, count) =>
      Array.from({ length: count }, () => emulator.state.addModelPackage(model, {}).ModelPackageArn),
    // A reviewer in SageMaker Studio: approval status and life-cycle stage.
    setStage: async (nativeId, stage) => {
      Object.assign(emulator.state.packages.get(nativeId)!, sageMakerStageOf(stage), { LastModifiedTime: new Date() });
    },
    deleteVersion: async (nativeId) => {
      emulator.state.deleteModelPackage(nativeId);
    },
    throttle: (on) => void (on ? emulator.throttle(Number.MAX_SAFE_INTEGER) : emulator.reset()),
    close: async () => {
      client.destroy();
      await emulator.close();
    },
  };
});
