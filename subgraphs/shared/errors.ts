import { GraphQLError } from 'graphql';
import { isCairnError } from '../../platform/errors.ts';
import { log } from '../../platform/log.ts';
import { currentRequestScope } from '../../platform/request-scope.ts';

/**
 * The one place Cairn errors become GraphQL errors: a `CairnError` keeps its message and gets its
 * stable `extensions.code`; anything else is logged with its cause and answered as an opaque
 * INTERNAL_SERVER_ERROR, so SQL, stack traces and credentials never reach a client.
 */
export function toGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  if (isCairnError(error)) {
    return new GraphQLError(error.message, {
      extensions: { code: error.code, ...(error.details ?? {}) },
    });
  }
  // Nobody reads this answer; its refused statements are not faults worth a log line each.
  if (currentRequestScope()?.signal.aborted) {
    return new GraphQLError('the request was abandoned', { extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
  }
  const errorId = Math.random().toString(36).slice(2, 10);
  log.error({ errorId, err: error }, 'unexpected error in a resolver');
  return new GraphQLError(`internal error (error id ${errorId})`, {
    extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
  });
}

export async function mapErrors<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toGraphQLError(error);
  }
}
