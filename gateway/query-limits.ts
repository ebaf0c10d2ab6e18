import type { ApolloServerOptions, ApolloServerPlugin, BaseContext } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  isObjectType,
  type GraphQLField,
  type GraphQLSchema,
  type ValidationContext,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';

/**
 * Bounds on the shape of a query, checked by the gateway before anything executes (CAIRN_MAX_QUERY_*):
 * nesting depth, aliases, lexical tokens, and an estimated cost (see `cairnCost`).
 */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxCost: number;
}

export type QueryLimitName = 'depth' | 'aliases' | 'tokens' | 'cost';

const SETTING: Record<QueryLimitName, string> = {
  depth: 'CAIRN_MAX_QUERY_DEPTH',
  aliases: 'CAIRN_MAX_QUERY_ALIASES',
  tokens: 'CAIRN_MAX_QUERY_TOKENS',
  cost: 'CAIRN_MAX_QUERY_COST',
};

/**
 * A query refused for its shape: BAD_USER_INPUT (the caller's to fix), naming the limit in
 * `extensions.limit` with the bound (`max`) and, where it was measured, what the query had (`found`).
 */
export class QueryLimitError extends GraphQLError {
  constructor(limit: QueryLimitName, max: number, found?: number) {
    const message = `${describe(limit, found)} over the limit of ${max} (${SETTING[limit]})`;
    super(message, {
      extensions: {
        code: 'BAD_USER_INPUT',
        limit,
        max,
        ...(found === undefined ? {} : { found }),
        problems: [{ path: 'query', message }],
        http: { status: 400 },
      },
    });
  }
}

function describe(limit: QueryLimitName, found: number | undefined): string {
  if (limit === 'aliases') return `query has ${found ?? 'more'} aliases,`;
  if (limit === 'tokens') return `query has ${found ?? 'more'} tokens,`;
  return found === undefined ? `query ${limit} is` : `query ${limit} ${found} is`;
}

/** Lists without a `first`/`limit` argument are counted as this many items. */
const DEFAULT_LIST_SIZE = 10;
/** Arguments that bound how many items a field answers (`last` pages a connection from its end). */
const SIZE_ARGUMENTS = ['first', 'last', 'limit'] as const;
/** A connection whose size arguments are all optional and not given answers its default page, this many at most. */
const DEFAULT_PAGE_SIZE = 50;

function sizeArgument(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number | undefined {
  for (const name of SIZE_ARGUMENTS) {
    const value = args[name];
    if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, value);
  }
  return hasSizeArgument(field) ? DEFAULT_PAGE_SIZE : undefined;
}

function hasSizeArgument(field: GraphQLField<unknown, unknown>): boolean {
  return field.args.some((arg) => (SIZE_ARGUMENTS as readonly string[]).includes(arg.name));
}

/**
 * The cost of a query: each field costs 1 plus what it selects, times the items it can answer. A
 * field with `first`/`limit` answers that many (a page such as `modelVersions(first: 500)` or a
 * lineage walk cut at `limit` nodes); the lists inside a page are the page's items, not more; any
 * other list counts DEFAULT_LIST_SIZE. A lineage walk adds one per hop of its `depth`. Introspection
 * costs 1.
 */
export function cairnCost(schema: GraphQLSchema): ComplexityEstimator {
  // Types answered by a sized, non-list field: their lists are already counted by the size.
  const pageTypes = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const answered = getNullableType(field.type);
      if (hasSizeArgument(field) && !isListType(answered)) pageTypes.add(getNamedType(answered).name);
    }
  }
  return ({ type, field, args, childComplexity }) => {
    if (field.name.startsWith('__')) return 1;
    const size = sizeArgument(field, args);
    const walk = typeof args.depth === 'number' ? Math.max(0, args.depth) : 0;
    if (size !== undefined) return 1 + walk + size * Math.max(1, childComplexity);
    if (isListType(getNullableType(field.type)) && !pageTypes.has(type.name))
      return 1 + DEFAULT_LIST_SIZE * childComplexity;
    return 1 + walk + childComplexity;
  };
}

const FOUND = /found (\d+)/;

function reportTo(limit: QueryLimitName, max: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    const found = FOUND.exec(error.message)?.[1];
    context?.reportError(new QueryLimitError(limit, max, found === undefined ? undefined : Number(found)));
  };
}

// graphql-js's own message (spelled "more that" in graphql 16).
const TOKENS_EXCEEDED = /Document contains more tha[nt] \d+ tokens/;

/** Maps a refusal for shape to its BAD_USER_INPUT answer; Apollo labels validation and parse failures its own way. */
function limitErrorOf(error: unknown, limits: QueryLimits): QueryLimitError | null {
  let cause: unknown = error;
  for (let i = 0; i < 3 && cause; i++) {
    if (cause instanceof QueryLimitError) return cause;
    if (cause instanceof GraphQLError && TOKENS_EXCEEDED.test(cause.message))
      return new QueryLimitError('tokens', limits.maxTokens);
    cause = (cause as { originalError?: unknown }).originalError;
  }
  return null;
}

/**
 * The Apollo Server options that enforce the limits: graphql's own token bound while parsing,
 * graphql-armor's depth and alias rules while validating, and graphql-query-complexity's estimate
 * (with the request's variables, which a validation rule does not see) before execution.
 */
export function queryLimitOptions<C extends BaseContext>(
  limits: QueryLimits,
): Pick<ApolloServerOptions<C>, 'parseOptions' | 'validationRules' | 'plugins' | 'formatError'> {
  const plugin: ApolloServerPlugin<C> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [estimator(schema)],
            });
          } catch (error) {
            // Past graphql-query-complexity's node bound (a fragment-spreading bomb): refused as too costly.
            if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message))
              throw new QueryLimitError('cost', limits.maxCost);
            // Variables that do not coerce: execution refuses them with its own BAD_USER_INPUT, before any resolver.
            return;
          }
          if (cost > limits.maxCost) throw new QueryLimitError('cost', limits.maxCost, cost);
        },
      };
    },
  };
  const estimators = new WeakMap<GraphQLSchema, ComplexityEstimator>();
  const estimator = (schema: GraphQLSchema) => {
    let found = estimators.get(schema);
    if (!found) estimators.set(schema, (found = cairnCost(schema)));
    return found;
  };
  return {
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: [
      maxDepthRule({
        n: limits.maxDepth,
        flattenFragments: true,
        propagateOnRejection: false,
        onReject: [reportTo('depth', limits.maxDepth)],
      }),
      maxAliasesRule({
        n: limits.maxAliases,
        propagateOnRejection: false,
        onReject: [reportTo('aliases', limits.maxAliases)],
      }),
    ],
    plugins: [plugin],
    formatError: (formatted, error) => {
      const limit = limitErrorOf(error, limits);
      if (!limit) return formatted;
      const { http: _http, ...extensions } = limit.extensions;
      return { ...formatted, message: limit.message, extensions };
    },
  };
}
