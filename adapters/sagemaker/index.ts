import type { CloudProviderConfig } from '../core/provider-config.ts';
import type { ProviderInstance } from '../core/provider-instance.ts';
import { SageMakerCatalogSource } from './catalog-source.ts';
import { createSageMakerClient, type SageMakerClientDeps } from './client.ts';
import { SageMakerDeploymentProvider } from './deployment.ts';
import { SageMakerModelRegistryProvider } from './model-registry.ts';

export { SageMakerCatalogSource, SageMakerDeploymentProvider, SageMakerModelRegistryProvider };

/** One SageMaker account/region as Cairn uses it: its catalog source, model registry and endpoints. */
export function fromConfig(config: CloudProviderConfig, deps: SageMakerClientDeps = {}): ProviderInstance {
  const client = createSageMakerClient(config, deps);
  return {
    name: config.name,
    kind: 'SAGEMAKER',
    catalog: new SageMakerCatalogSource(config.name, client),
    registry: new SageMakerModelRegistryProvider(config.name, client),
    deployments: new SageMakerDeploymentProvider(config.name, client),
    close: async () => client.destroy(),
  };
}
