import type { CatalogSource } from './catalog-source.ts';
import type { DeploymentProvider } from './deployment.ts';
import type { FeatureStoreProvider } from './feature-store.ts';
import type { ModelRegistryProvider } from './model-registry.ts';
import type { ProviderKind } from './provider-config.ts';

/**
 * A running provider instance (the built-in one or a configured cloud) with the capabilities its
 * adapter declares: a catalog source for the sync engine, and the owners Cairn goes through (model
 * registry, endpoints, feature data). A capability left out is one the provider does not offer to
 * Cairn: asking for it answers `NotSupportedError(provider, operation)` (`ProviderRegistry.capability`).
 */
export interface ProviderInstance {
  name: string;
  kind: ProviderKind;
  /** Lists the provider's assets for the sync engine (clouds; built-in assets enter by mutation). */
  catalog?: CatalogSource;
  /** Owns the stage of the provider's model versions. */
  registry?: ModelRegistryProvider;
  /** Owns the provider's endpoints, deployments and traffic. */
  deployments?: DeploymentProvider;
  /** Owns the data of the provider's feature views: ingest, materialization, online reads. */
  features?: FeatureStoreProvider;
  close(): Promise<void>;
}

/** The capabilities a provider instance may declare, by name. */
export type ProviderCapability = 'catalog' | 'registry' | 'deployments' | 'features';
