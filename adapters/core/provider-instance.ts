import type { CatalogSource } from './catalog-source.ts';
import type { DeploymentProvider } from './deployment.ts';
import type { ModelRegistryProvider } from './model-registry.ts';
import type { CloudProviderKind } from './provider-config.ts';

/**
 * A configured cloud provider instance with the capabilities its adapter declares: a catalog
 * source for the sync engine, and the owners Cairn writes through (model registry, endpoints).
 * A capability left out is one the cloud does not offer to Cairn.
 */
export interface ProviderInstance {
  name: string;
  kind: CloudProviderKind;
  catalog?: CatalogSource;
  registry?: ModelRegistryProvider;
  deployments?: DeploymentProvider;
  close(): Promise<void>;
}
