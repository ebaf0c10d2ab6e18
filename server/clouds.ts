import type { Database } from '../platform/database.ts';
import { isCairnError } from '../platform/errors.ts';
import { log } from '../platform/log.ts';
import type { CloudProviderConfig } from '../adapters/core/provider-config.ts';
import type { ProviderInstance } from '../adapters/core/provider-instance.ts';
import { createProvider, type ProviderDeps } from '../adapters/providers.ts';
import type { CairnConfig } from './config.ts';

/**
 * Opens the cloud provider instances Cairn runs with (those of cairn.config.yaml, plus `extra`: the
 * demo's emulator), and records each in the catalog's provider table. A provider whose kind has no
 * adapter yet stays listed with status NOT_SUPPORTED and the reason in lastError; the others start
 * normally.
 */
export async function openCloudProviders(
  db: Database,
  config: CairnConfig,
  options: { extra?: { config: CloudProviderConfig; deps: ProviderDeps }[]; deps?: ProviderDeps },
) {
  const closers: (() => Promise<void>)[] = [];
  const configs: { config: CloudProviderConfig; deps: ProviderDeps }[] = [
    ...config.providers.map((provider) => ({ config: provider, deps: options.deps ?? {} })),
    ...(options.extra ?? []),
  ];
  const instances: { instance: ProviderInstance; syncIntervalSeconds: number }[] = [];
  for (const { config: provider, deps } of configs) {
    try {
      const instance = createProvider(provider, deps);
      closers.push(() => instance.close());
      instances.push({ instance, syncIntervalSeconds: provider.syncIntervalSeconds });
      await db.provider.upsert({
        where: { name: provider.name },
        create: { name: provider.name, kind: provider.kind, status: 'OK' },
        update: { kind: provider.kind },
      });
      log.info(
        { provider: provider.name, kind: provider.kind, region: provider.region, endpoint: provider.endpoint },
        'cloud provider configured',
      );
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
      for (const close of closers.reverse())
        await close().catch((error) => log.warn({ err: error }, 'error while closing a cloud provider'));
    },
  };
}
