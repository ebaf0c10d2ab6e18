import type { Services } from '../services.ts';

/**
 * What every resolver receives. In the single-process default the gateway's context object is
 * handed to each in-process subgraph as is; a subgraph served alone builds the same shape.
 */
export interface CairnContext {
  services: Services;
  /** Who is acting: the request identity, or the configured local identity when auth is off. */
  actor: string;
  /** The actor's roles, as policies see them (`actor.roles`). */
  roles: string[];
  requestId: string;
}

/**
 * Per-request memo keyed on the context object: each subgraph keeps its DataLoaders here so that a
 * request batches across every field it resolves and no cache outlives the request.
 */
export function perRequest<T>(create: (context: CairnContext) => T): (context: CairnContext) => T {
  const memo = new WeakMap<CairnContext, T>();
  return (context) => {
    let value = memo.get(context);
    if (value === undefined) {
      value = create(context);
      memo.set(context, value);
    }
    return value;
  };
}
