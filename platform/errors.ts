/**
 * Cairn's one error vocabulary. Services and adapters throw these; `subgraphs/shared/errors.ts`
 * is the one place that maps them to GraphQL `extensions.code` and hides everything else.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'POLICY_DENIED'
  | 'NOT_SUPPORTED';

export abstract class CairnError extends Error {
  abstract readonly code: ErrorCode;
  /** Safe, client-facing detail (never secrets, never SQL). */
  readonly details: Record<string, unknown> | undefined;

  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, { cause: options?.cause });
    this.name = new.target.name;
    this.details = options?.details;
  }
}

/** One problem with one input field; `InputError` carries all of them at once. */
export interface InputProblem {
  path: string;
  message: string;
}

export class InputError extends CairnError {
  readonly code = 'BAD_USER_INPUT' as const;
  readonly problems: InputProblem[];

  constructor(problems: InputProblem[] | string, options?: { cause?: unknown }) {
    const list = typeof problems === 'string' ? [{ path: '', message: problems }] : problems;
    super(list.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; '), {
      ...options,
      details: { problems: list },
    });
    this.problems = list;
  }
}

export class NotFoundError extends CairnError {
  readonly code = 'NOT_FOUND' as const;
  constructor(kind: string, id: string, options?: { cause?: unknown }) {
    super(`${kind} ${JSON.stringify(id)} was not found`, { ...options, details: { kind, id } });
  }
}

export class ConflictError extends CairnError {
  readonly code = 'CONFLICT' as const;
}

export class ForbiddenError extends CairnError {
  readonly code = 'FORBIDDEN' as const;
}

export class UnauthenticatedError extends CairnError {
  readonly code = 'UNAUTHENTICATED' as const;
}

export class PolicyDeniedError extends CairnError {
  readonly code = 'POLICY_DENIED' as const;
}

/** A provider (cloud, database, online store) could not be reached or kept failing after retries. */
export class UpstreamUnavailableError extends CairnError {
  readonly code = 'UPSTREAM_UNAVAILABLE' as const;
  constructor(provider: string, message: string, options?: { cause?: unknown }) {
    super(`${provider}: ${message}`, { ...options, details: { provider } });
  }
}

/** The provider does not implement this capability (a cloud without a feature store, say). */
export class NotSupportedError extends CairnError {
  readonly code = 'NOT_SUPPORTED' as const;
  constructor(provider: string, operation: string) {
    super(`provider ${provider} does not support ${operation}`, { details: { provider, operation } });
  }
}

export function isCairnError(error: unknown): error is CairnError {
  return error instanceof CairnError;
}
