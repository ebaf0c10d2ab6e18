import { NotSupportedError } from '../platform/errors.ts';
import type { CloudProviderConfig, CloudProviderKind } from './core/provider-config.ts';
import type { ProviderInstance } from './core/provider-instance.ts';
import * as sagemaker from './sagemaker/index.ts';
import type { SageMakerClientDeps } from './sagemaker/client.ts';

/** What a factory may be handed besides its config: SDK seams for the emulators and tests. */
export interface ProviderDeps {
  sagemaker?: SageMakerClientDeps;
}

export type ProviderFactory = (config: CloudProviderConfig, deps: ProviderDeps) => ProviderInstance;

/** Every cloud kind and its adapter; the kinds still to come answer NotSupportedError at start. */
export const PROVIDER_FACTORIES = {
  SAGEMAKER: (config, deps) => sagemaker.fromConfig(config, deps.sagemaker),
  VERTEX_AI: (config) => {
    throw new NotSupportedError(config.name, 'VERTEX_AI providers (the Vertex AI adapter is not built yet)');
  },
  AZURE_ML: (config) => {
    throw new NotSupportedError(config.name, 'AZURE_ML providers (the Azure ML adapter is not built yet)');
  },
} satisfies Record<CloudProviderKind, ProviderFactory>;

export function createProvider(config: CloudProviderConfig, deps: ProviderDeps = {}): ProviderInstance {
  return PROVIDER_FACTORIES[config.kind](config, deps);
}
