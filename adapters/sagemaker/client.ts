import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AdaptiveRetryStrategy, StandardRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, StandardRetryBackoffStrategy } from '@smithy/types';
import { callOwner, type OwnerCallOptions, type OwnerErrorInfo } from '../kit/index.ts';
import type { CloudProviderConfig } from '../core/provider-config.ts';

export interface SageMakerClientDeps {
  /**
   * Credentials to use instead of the AWS default provider chain. Only the emulator's static
   * fake keys are injected this way; real accounts always go through the default chain.
   */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** Delay before retry `attempt` (1-based), in ms; the SDK's exponential backoff with jitter when unset. Tests pass ~0. */
  backoffMs?: (attempt: number) => number;
}

/** A backoff the SDK's retry strategies accept, computing delays with `delayOf`. */
function injectedBackoff(delayOf: (attempt: number) => number): StandardRetryBackoffStrategy {
  return { computeNextBackoffDelay: (attempt) => delayOf(attempt), setDelayBase: () => {} };
}

/**
 * The SDK client of one provider instance. Throttling, 5xx and transient network errors are
 * retried by the SDK's own strategy (`standard` or `adaptive`, `maxAttempts` from the config);
 * Cairn adds no retry loop of its own.
 */
export function createSageMakerClient(config: CloudProviderConfig, deps: SageMakerClientDeps = {}): SageMakerClient {
  const backoff = deps.backoffMs ? injectedBackoff(deps.backoffMs) : undefined;
  const retryStrategy =
    config.retryMode === 'adaptive'
      ? new AdaptiveRetryStrategy(config.maxAttempts, backoff ? { backoff } : {})
      : new StandardRetryStrategy({ maxAttempts: config.maxAttempts, ...(backoff ? { backoff } : {}) });
  return new SageMakerClient({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // Unset: the SDK resolves the AWS default provider chain (environment, SSO, profile, IMDS, ...).
    ...(deps.credentials ? { credentials: deps.credentials } : {}),
    retryStrategy,
  });
}

/** ValidationException messages SageMaker uses for "no such resource" (it has no NotFound for most APIs). */
const MISSING = /does not exist|could not find|cannot find|can't find/i;

/** SageMaker's conventions on top of the kit's: a "does not exist" ValidationException is a missing resource. */
function classifySageMakerError(error: unknown, common: OwnerErrorInfo): OwnerErrorInfo {
  return common.name === 'ValidationException' && MISSING.test(common.message)
    ? { ...common, fault: 'not-found' }
    : common;
}

/** How the SageMaker adapter calls its owner (for the kit's callOwner / describeOrNull). */
export const sageMakerCalls = (provider: string): OwnerCallOptions => ({
  provider,
  cloud: 'SageMaker',
  classify: classifySageMakerError,
});

/**
 * Calls SageMaker once (the SDK retries inside) and translates what comes back into Cairn's
 * vocabulary (adapters/kit/errors.ts): a missing resource named by `notFound` is NotFoundError,
 * anything that kept failing (throttling, 5xx, network, credentials) is UpstreamUnavailableError
 * naming the provider. Messages are SageMaker's own, masked again for anything secret-looking.
 */
export function callSageMaker<T>(
  provider: string,
  operation: string,
  send: () => Promise<T>,
  notFound?: { kind: string; id: string },
): Promise<T> {
  return callOwner(sageMakerCalls(provider), operation, send, notFound);
}
