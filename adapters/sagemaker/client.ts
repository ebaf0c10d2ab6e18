import { SageMakerClient, SageMakerServiceException } from '@aws-sdk/client-sagemaker';
import { AdaptiveRetryStrategy, StandardRetryStrategy } from '@smithy/core/retry';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, StandardRetryBackoffStrategy } from '@smithy/types';
import { NotFoundError, UpstreamUnavailableError } from '../../platform/errors.ts';
import { log, redact } from '../../platform/log.ts';
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

/**
 * Calls SageMaker once (the SDK retries inside) and translates what comes back into Cairn's
 * vocabulary: a missing resource is NotFoundError, anything that kept failing (throttling, 5xx,
 * network, credentials) is UpstreamUnavailableError naming the provider. Messages are SageMaker's
 * own (no request, headers or signature), masked again for anything secret-looking.
 */
export async function callSageMaker<T>(provider: string, operation: string, send: () => Promise<T>, notFound?: { kind: string; id: string }): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    const message = redact((error as Error).message ?? String(error));
    if (notFound && (name === 'ResourceNotFound' || (name === 'ValidationException' && MISSING.test(message)))) {
      throw new NotFoundError(notFound.kind, notFound.id, { cause: error });
    }
    const attempts = error instanceof SageMakerServiceException ? error.$metadata.attempts : undefined;
    log.warn({ provider, operation, errorType: name, attempts, message }, 'SageMaker call failed');
    throw new UpstreamUnavailableError(provider, `SageMaker ${operation} failed${attempts ? ` after ${attempts} attempt(s)` : ''}: ${name}: ${message}`, { cause: error });
  }
}
