import { NotSupportedError } from '../platform/errors.ts';
import type {
  BuiltinProviderConfig,
  CloudProviderConfig,
  ProviderConfig,
  ProviderKind,
} from './core/provider-config.ts';
import type { ProviderCapability, ProviderInstance } from './core/provider-instance.ts';
import * as builtin from './builtin/index.ts';
import * as sagemaker from './sagemaker/index.ts';
import type { SageMakerClientDeps } from './sagemaker/client.ts';

/** What a factory may be handed besides its config: the built-in provider's parts, SDK seams for the emulators and tests. */
export interface ProviderDeps {
  builtin?: builtin.BuiltinProviderDeps;
  sagemaker?: SageMakerClientDeps;
}

type ConfigOf<K extends ProviderKind> = K extends 'BUILTIN' ? BuiltinProviderConfig : CloudProviderConfig;

export type ProviderFactory<K extends ProviderKind = ProviderKind> = (
  config: ConfigOf<K>,
  deps: ProviderDeps,
) => ProviderInstance;

/** Every provider kind and its adapter; the kinds still to come answer NotSupportedError at start. */
export const PROVIDER_FACTORIES = {
  BUILTIN: (config, deps) => {
    if (!deps.builtin)
      throw new Error("the built-in provider needs Cairn's database and online store (ProviderDeps.builtin)");
    return builtin.fromConfig(config, deps.builtin);
  },
  SAGEMAKER: (config, deps) => sagemaker.fromConfig(config, deps.sagemaker),
  VERTEX_AI: (config) => {
    throw new NotSupportedError(config.name, 'VERTEX_AI providers (the Vertex AI adapter is not built yet)');
  },
  AZURE_ML: (config) => {
    throw new NotSupportedError(config.name, 'AZURE_ML providers (the Azure ML adapter is not built yet)');
  },
} satisfies { [K in ProviderKind]: ProviderFactory<K> };

export function createProvider(
  config: BuiltinProviderConfig,
  deps: ProviderDeps & { builtin: builtin.BuiltinProviderDeps },
): builtin.BuiltinProviderInstance;
export function createProvider(config: CloudProviderConfig, deps?: ProviderDeps): ProviderInstance;
export function createProvider(config: ProviderConfig, deps: ProviderDeps = {}): ProviderInstance {
  return config.kind === 'BUILTIN'
    ? PROVIDER_FACTORIES.BUILTIN(config, deps)
    : PROVIDER_FACTORIES[config.kind](config, deps);
}

/** A capability by name, as a provider instance declares it. */
export type Capability<C extends ProviderCapability> = NonNullable<ProviderInstance[C]>;

/** The one lookup services use to reach an asset's owner (a `ProviderRegistry`, or a test's stand-in). */
export type CapabilityLookup = Pick<ProviderRegistry, 'capability'>;

/**
 * The provider instances running in this process, by name: the one place services find the owner
 * of an asset's capability. Asking a provider for a capability it does not declare (or a provider
 * not running here: a kind without an adapter yet, one removed from the config) answers
 * NotSupportedError naming the provider and the operation, before anything is written.
 */
export class ProviderRegistry {
  private readonly byName: ReadonlyMap<string, ProviderInstance>;

  constructor(instances: Iterable<ProviderInstance>) {
    const byName = new Map<string, ProviderInstance>();
    for (const instance of instances) {
      if (byName.has(instance.name)) throw new Error(`two provider instances are named ${instance.name}`);
      byName.set(instance.name, instance);
    }
    this.byName = byName;
  }

  get(name: string): ProviderInstance | undefined {
    return this.byName.get(name);
  }

  list(): ProviderInstance[] {
    return [...this.byName.values()];
  }

  /** Every declared instance of one capability (e.g. each registry that owns model versions). */
  all<C extends ProviderCapability>(capability: C): Capability<C>[] {
    return this.list().flatMap((instance) => (instance[capability] ? [instance[capability] as Capability<C>] : []));
  }

  /**
   * `provider`'s `capability`, for `operation` (the GraphQL operation or job, named in the error).
   * @throws NotSupportedError(provider, operation) when the provider does not declare it or does not run here.
   */
  capability<C extends ProviderCapability>(provider: string, capability: C, operation: string): Capability<C> {
    const found = this.byName.get(provider)?.[capability];
    if (!found) throw new NotSupportedError(provider, operation);
    return found as Capability<C>;
  }
}
