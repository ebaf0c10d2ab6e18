/**
 * An inference call's failure as the caller sees it: an HTTP status and a stable code in
 * `{error: {code, message}}`. Messages never carry the request body or a model server's answer.
 */
export type RouterErrorCode =
  | 'BAD_USER_INPUT'
  | 'NOT_FOUND'
  | 'PAYLOAD_TOO_LARGE'
  | 'NO_LIVE_DEPLOYMENT'
  | 'NOT_SUPPORTED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'LOOP_DETECTED';

export class RouterError extends Error {
  constructor(
    readonly status: number,
    readonly code: RouterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RouterError';
  }
}
