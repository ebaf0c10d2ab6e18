import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The GraphQL request a piece of work belongs to, as the code under it sees it. A query may be cut
 * short (it writes nothing, so nothing is left half done); a mutation runs to its end. `signal`
 * aborts when nobody waits for the answer any more: the client went away, or the gateway's bound on
 * the subgraph call passed. The database refuses a cut-short request's next statements.
 */
export interface RequestScope {
  readonly signal: AbortSignal;
  /** Set once the operation is known: true for a query. */
  cuttable: boolean;
}

const scopes = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return scopes.run(scope, work);
}

/** The request the current work belongs to; undefined for background work (jobs, start-up, the inference router). */
export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}

/** Work of a query that nobody waits for any more, refused before it reaches the database. */
export class AbandonedRequestError extends Error {
  constructor() {
    super('the request was abandoned (the client went away or its time ran out)');
    this.name = 'AbandonedRequestError';
  }
}
