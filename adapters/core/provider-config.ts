/** The cloud kinds a provider instance can be (the built-in provider is not configured in the file). */
export type CloudProviderKind = 'SAGEMAKER' | 'VERTEX_AI' | 'AZURE_ML';

/** Every kind of provider instance: Cairn's own built-in backend and the clouds. */
export type ProviderKind = 'BUILTIN' | CloudProviderKind;

/**
 * The built-in provider: always present, never in `cairn.config.yaml`. Its parts (Cairn's database,
 * the online store) come in as dependencies, not as configuration.
 */
export interface BuiltinProviderConfig {
  name: string;
  kind: 'BUILTIN';
}

/**
 * One provider instance of `cairn.config.yaml`, validated (cli/providers-file.ts). Adapters get this
 * slice and never read the environment or the file themselves. It never holds secrets: credentials
 * come from the cloud's default chain.
 */
export interface CloudProviderConfig {
  name: string;
  kind: CloudProviderKind;
  region: string;
  accountId?: string;
  /** Override of the service URL (a local emulator); the cloud's public endpoint when unset. */
  endpoint?: string;
  credentials: 'default-chain';
  syncIntervalSeconds: number;
  /** Attempts per call, first one included, before the call fails (the SDK's retry strategy). */
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
}

/** The configuration of any provider instance, by kind. */
export type ProviderConfig = BuiltinProviderConfig | CloudProviderConfig;
