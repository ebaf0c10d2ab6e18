import { RemoteGraphQLDataSource, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import {
  execute,
  GraphQLError,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import { log } from '../platform/log.ts';
import { currentRequestScope, runInRequestScope, type RequestScope } from '../platform/request-scope.ts';
import type { CairnContext } from '../subgraphs/shared/context.ts';

function upstreamUnavailable(subgraph: string, reason: string): GraphQLError {
  return new GraphQLError(`subgraph ${subgraph} is unavailable: ${reason}`, {
    extensions: { code: 'UPSTREAM_UNAVAILABLE', serviceName: subgraph },
  });
}

/**
 * @apollo/gateway has no subgraph timeout of its own: a hung subgraph would hold the request
 * forever. Every fetch is bounded here; a timeout or a network failure becomes an
 * UPSTREAM_UNAVAILABLE error for that fetch, and the rest of the answer still arrives. Past the bound
 * (or when the client goes away) `signal` aborts, so a query's work behind it stops too.
 */
async function guarded<T>(subgraph: string, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new AbortController();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut.abort();
      reject(upstreamUnavailable(subgraph, `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const request = currentRequestScope();
  const signal = request ? AbortSignal.any([request.signal, timedOut.signal]) : timedOut.signal;
  const scope: RequestScope | undefined = request && {
    signal,
    get cuttable() {
      return request.cuttable;
    },
  };
  try {
    return await Promise.race([scope ? runInRequestScope(scope, () => work(signal)) : work(signal), timeout]);
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    log.warn({ subgraph, err: error }, 'subgraph call failed');
    throw upstreamUnavailable(subgraph, 'the call failed');
  } finally {
    clearTimeout(timer);
  }
}

/** The bounds of a subgraph fetch: a query's, and a mutation's (which may wait on an owner, a cloud's API). */
export interface SubgraphBounds {
  timeoutMs: number;
  /** At least `timeoutMs`: a mutation's owner call may take CAIRN_OWNER_TIMEOUT_MS before it commits or fails. */
  mutationTimeoutMs: number;
}

/** The bound of one fetch: the query planner's fetch of a mutation starts with the keyword. */
function boundOf(query: string | undefined, bounds: SubgraphBounds): number {
  return /^\s*mutation\b/.test(query ?? '') ? bounds.mutationTimeoutMs : bounds.timeoutMs;
}

/**
 * A subgraph in the gateway's own process: executed directly, no HTTP hop. The operations the
 * gateway sends are few and repeat (one per query-plan fetch), so each is parsed and validated
 * once and its document kept; validating every fetch again was the largest cost of a request.
 */
export class InProcessSubgraph implements GraphQLDataSource<CairnContext> {
  private readonly documents = new LRUCache<string, DocumentNode | readonly GraphQLError[]>({ max: 2000 });

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly name: string,
    private readonly bounds: SubgraphBounds,
  ) {}

  process({ request, context }: GraphQLDataSourceProcessOptions<CairnContext>) {
    return guarded(this.name, boundOf(request.query, this.bounds), async (): Promise<ExecutionResult> => {
      const document = this.document(request.query ?? '');
      if (!('kind' in document)) return { errors: document };
      const result = await execute({
        schema: this.schema,
        document,
        contextValue: context,
        variableValues: request.variables,
        operationName: request.operationName,
      });
      // Without data, graphql-js refused a variable (a DateTime that is no date-time): the caller's
      // mistake, which Apollo Server calls BAD_USER_INPUT; uncoded, the gateway would call it
      // DOWNSTREAM_SERVICE_ERROR.
      if ('data' in result || !result.errors) return result;
      return {
        errors: result.errors.map((error) =>
          error.extensions.code
            ? error
            : new GraphQLError(error.message, {
                nodes: error.nodes,
                extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
              }),
        ),
      };
    });
  }

  private document(query: string): DocumentNode | readonly GraphQLError[] {
    let document = this.documents.get(query);
    if (!document) {
      try {
        const parsed = parse(query);
        const errors = validate(this.schema, parsed);
        document = errors.length ? errors : parsed;
      } catch (error) {
        document = [error as GraphQLError];
      }
      this.documents.set(query, document);
    }
    return document;
  }
}

/** A subgraph served by another process, over HTTP (Node's fetch keeps connections alive). */
export class RemoteSubgraph extends RemoteGraphQLDataSource<CairnContext> {
  constructor(
    private readonly name: string,
    url: string,
    private readonly bounds: SubgraphBounds,
  ) {
    super({
      url,
      // The socket is dropped at the same bound (or when the client goes away), so a hung subgraph does not pile up connections.
      fetcher: ((input: string, init: RequestInit) =>
        fetch(input, {
          ...init,
          signal: currentRequestScope()?.signal ?? AbortSignal.timeout(bounds.mutationTimeoutMs),
        })) as never,
    });
  }

  override willSendRequest({
    request,
    context,
  }: Parameters<NonNullable<RemoteGraphQLDataSource<CairnContext>['willSendRequest']>>[0]) {
    // A subgraph served alone runs in trusted-header mode behind the gateway: it acts as the gateway's caller.
    request.http?.headers.set('x-cairn-actor', context.actor);
    request.http?.headers.set('x-cairn-roles', context.roles.join(','));
    if (context.requestId) request.http?.headers.set('x-request-id', context.requestId);
  }

  override process(options: GraphQLDataSourceProcessOptions<CairnContext>) {
    return guarded(this.name, boundOf(options.request.query, this.bounds), () => super.process(options));
  }
}
