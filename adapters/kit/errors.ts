import { isCairnError, NotFoundError, UpstreamUnavailableError } from '../../platform/errors.ts';
import { log, redact } from '../../platform/log.ts';

/**
 * Error translation at the edge of every cloud adapter: whatever an SDK throws becomes Cairn's
 * vocabulary here, once. A missing resource the caller named is NotFoundError; anything else that
 * still failed after the SDK's own retries (throttling, 5xx, network, credentials) is
 * UpstreamUnavailableError naming the provider. Adapters add no retry loop: the SDKs have theirs.
 */

/** What went wrong at the owner, in Cairn's terms. */
export type OwnerFault = 'not-found' | 'throttled' | 'unavailable' | 'refused';

export interface OwnerErrorInfo {
  /** The owner's name for the error (ThrottlingException, RESOURCE_EXHAUSTED, ResourceNotFound). */
  name: string;
  /** Its message, masked for anything secret-looking (never the request, headers or signature). */
  message: string;
  fault: OwnerFault;
  /** How many attempts the SDK made, when it says. */
  attempts?: number;
}

const THROTTLING =
  /throttl|too ?many ?requests|request ?limit ?exceeded|rate ?exceeded|slow ?down|resource_?exhausted/i;
const NOT_FOUND_NAME = /^(resource)?not ?found(exception)?$|^no ?such/i;
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);
/** gRPC status codes (Vertex AI): NOT_FOUND, RESOURCE_EXHAUSTED, and the transient ones. */
const GRPC = { notFound: 5, exhausted: 8, transient: new Set([4, 10, 13, 14]) };

/**
 * Classifies an error the way the common SDK shapes carry it: AWS (`name`, `$metadata`), gRPC
 * (numeric `code`), Azure (`statusCode`) and Node's network errors. A cloud with conventions of its
 * own refines this (SageMaker says "does not exist" in a ValidationException).
 */
export function classifyOwnerError(error: unknown): OwnerErrorInfo {
  const e = (error ?? {}) as {
    name?: unknown;
    message?: unknown;
    code?: unknown;
    statusCode?: unknown;
    status?: unknown;
    $metadata?: { httpStatusCode?: number; attempts?: number };
  };
  const name =
    typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : 'Error';
  const message = redact(typeof e.message === 'string' ? e.message : String(error));
  const status =
    e.$metadata?.httpStatusCode ??
    (typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined);
  const grpc = typeof e.code === 'number' ? e.code : undefined;
  const attempts = e.$metadata?.attempts;
  const info = (fault: OwnerFault): OwnerErrorInfo => ({ name, message, fault, ...(attempts ? { attempts } : {}) });
  if (status === 429 || grpc === GRPC.exhausted || THROTTLING.test(name)) return info('throttled');
  if (status === 404 || grpc === GRPC.notFound || NOT_FOUND_NAME.test(name)) return info('not-found');
  if (
    (status !== undefined && status >= 500) ||
    (grpc !== undefined && GRPC.transient.has(grpc)) ||
    (typeof e.code === 'string' && NETWORK.has(e.code))
  )
    return info('unavailable');
  return info('refused');
}

export interface OwnerCallOptions {
  provider: string;
  /** The cloud's name in messages and logs ("SageMaker"). */
  cloud: string;
  /** The cloud's own conventions on top of the common shapes. */
  classify?: (error: unknown, common: OwnerErrorInfo) => OwnerErrorInfo;
}

/** The Cairn error for `error`, thrown by `operation` at the owner. Cairn's own errors pass through. */
export function translateOwnerError(
  options: OwnerCallOptions,
  operation: string,
  error: unknown,
  notFound?: { kind: string; id: string },
): Error {
  if (isCairnError(error)) return error;
  const common = classifyOwnerError(error);
  const info = options.classify ? options.classify(error, common) : common;
  if (notFound && info.fault === 'not-found') return new NotFoundError(notFound.kind, notFound.id, { cause: error });
  log.warn(
    {
      provider: options.provider,
      operation,
      errorType: info.name,
      fault: info.fault,
      attempts: info.attempts,
      message: info.message,
    },
    `${options.cloud} call failed`,
  );
  const after = info.attempts ? ` after ${info.attempts} attempt(s)` : '';
  return new UpstreamUnavailableError(
    options.provider,
    `${options.cloud} ${operation} failed${after}: ${info.name}: ${info.message}`,
    { cause: error },
  );
}

/**
 * Calls the owner once (the SDK retries inside) and translates a failure. `notFound` names the
 * resource asked for: without it, "not found" is the owner failing (a listing cannot miss).
 */
export async function callOwner<T>(
  options: OwnerCallOptions,
  operation: string,
  send: () => Promise<T>,
  notFound?: { kind: string; id: string },
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw translateOwnerError(options, operation, error, notFound);
  }
}

/** Like callOwner, answering null when the resource is gone (it vanished since it was listed). */
export async function describeOrNull<T>(
  options: OwnerCallOptions,
  operation: string,
  send: () => Promise<T>,
  id: string,
): Promise<T | null> {
  try {
    return await callOwner(options, operation, send, { kind: operation, id });
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
