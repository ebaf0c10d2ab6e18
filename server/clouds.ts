import type { Database } from '../platform/database.ts';
import { isCairnError } from '../platform/errors.ts';
import { log } from '../platform/log.ts';
import type { CloudProviderConfig } from '../adapters/core/provider-config.ts';
import type { ProviderInstance } from '../adapters/core/provider-instance.ts';
import { createProvider, type ProviderDeps } from '../adapters/providers.ts';
import type { CairnConfig } from './config.ts';

export const DEMO_PROVIDER = 'sagemaker-demo';

/**
 * Opens the cloud provider instances Cairn runs with, and records each in the catalog's provider
 * table. A provider whose kind has no adapter yet stays listed with status NOT_SUPPORTED and the
 * reason in lastError; the others start normally.
 *
 * With `demo` (CAIRN_DEMO on and no CAIRN_CONFIG), the SageMaker emulator starts in process on a
 * loopback port with the demo estate, and `sagemaker-demo` points at it with the emulator's static
 * fake keys (injected for the emulator only; a configured provider always uses the default chain).
 */
export async function openCloudProviders(db: Database, config: CairnConfig, options: { demo: boolean; deps?: ProviderDeps }) {
  const closers: (() => Promise<void>)[] = [];
  const configs: { config: CloudProviderConfig; deps: ProviderDeps }[] = config.providers.map((provider) => ({ config: provider, deps: options.deps ?? {} }));
  if (options.demo) {
    const { startSageMakerEmulator, EMULATOR_CREDENTIALS } = await import('../emulators/sagemaker/index.ts');
    const emulator = await startSageMakerEmulator();
    closers.push(() => emulator.close());
    log.info({ url: emulator.url }, `SageMaker emulator with the demo estate listening (provider ${DEMO_PROVIDER})`);
    configs.push({
      config: {
        name: DEMO_PROVIDER,
        kind: 'SAGEMAKER',
        region: emulator.state.region,
        accountId: emulator.state.accountId,
        endpoint: emulator.url,
        credentials: 'default-chain',
        syncIntervalSeconds: 300,
        maxAttempts: 3,
        retryMode: 'standard',
      },
      deps: { ...options.deps, sagemaker: { ...options.deps?.sagemaker, credentials: EMULATOR_CREDENTIALS } },
    });
  }
  const instances: { instance: ProviderInstance; syncIntervalSeconds: number }[] = [];
  for (const { config: provider, deps } of configs) {
    try {
      const instance = createProvider(provider, deps);
      closers.push(() => instance.close());
      instances.push({ instance, syncIntervalSeconds: provider.syncIntervalSeconds });
      await db.provider.upsert({ where: { name: provider.name }, create: { name: provider.name, kind: provider.kind, status: 'OK' }, update: { kind: provider.kind } });
      log.info({ provider: provider.name, kind: provider.kind, region: provider.region, endpoint: provider.endpoint }, 'cloud provider configured');
    } catch (error) {
      if (!isCairnError(error)) throw error;
      log.warn({ provider: provider.name, kind: provider.kind, reason: error.message }, 'cloud provider not started');
      await db.provider.upsert({
        where: { name: provider.name },
        create: { name: provider.name, kind: provider.kind, status: 'NOT_SUPPORTED', lastError: error.message },
        update: { kind: provider.kind, status: 'NOT_SUPPORTED', lastError: error.message },
      });
    }
  }
  return {
    instances,
    close: async () => {
      for (const close of closers.reverse()) await close().catch((error) => log.warn({ err: error }, 'error while closing a cloud provider'));
    },
  };
}
