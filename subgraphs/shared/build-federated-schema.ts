import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { GraphQLObjectType, parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { mapErrors, toGraphQLError } from './errors.ts';
import type { CairnContext } from './context.ts';

/** The federation spec every Cairn subgraph links; pinned here so all four agree. */
const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires"])';

export type ReferenceResolvers = Record<
  string,
  { __resolveReference: (reference: any, context: CairnContext) => unknown }
>;

export interface FederatedSchemaOptions {
  resolvers: NonEmptyArray<Function>;
  /** Entity types no resolver returns but other subgraphs reference (resolved by `references`). */
  orphanedTypes?: Function[];
  /** `__resolveReference` per entity type; each must go through a per-request DataLoader. */
  references?: ReferenceResolvers;
}

/**
 * Turns a type-graphql schema into an Apollo subgraph schema. The one way every Cairn subgraph is
 * built: type-graphql's decorators give the types and resolvers, `@Directive('@key(...)')` marks the
 * entities, and the reference resolvers are merged in here.
 */
export async function buildFederatedSchema(options: FederatedSchemaOptions): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: options.resolvers,
    orphanedTypes: options.orphanedTypes,
    // No global middleware: type-graphql runs a middleware chain as a chain of promises on every
    // field, plain properties included (measured: ~3 ms of a 100-vector online lookup). Errors are
    // mapped by wrapping each resolver below, synchronously for synchronous fields.
    validate: false,
    skipCheck: true,
  });
  const resolvers: Record<string, object> = createResolversMap(schema);
  for (const [typeName, fields] of Object.entries(resolvers)) {
    if (!(schema.getType(typeName) instanceof GraphQLObjectType) || typeName.startsWith('__')) continue;
    for (const [fieldName, resolver] of Object.entries(fields)) {
      if (typeof resolver === 'function')
        (fields as Record<string, unknown>)[fieldName] = withMappedErrors(resolver as (...args: unknown[]) => unknown);
      else if (
        resolver &&
        typeof resolver === 'object' &&
        typeof (resolver as { resolve?: unknown }).resolve === 'function'
      ) {
        const config = resolver as { resolve: (...args: unknown[]) => unknown };
        config.resolve = withMappedErrors(config.resolve);
      }
    }
  }
  for (const [typeName, { __resolveReference }] of Object.entries(options.references ?? {})) {
    resolvers[typeName] = {
      ...resolvers[typeName],
      __resolveReference: (reference: unknown, context: CairnContext) =>
        mapErrors(() => __resolveReference(reference, context)),
    };
  }
  return buildSubgraphSchema({
    typeDefs: parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`),
    resolvers: resolvers as never,
  });
}

/** Maps thrown errors to GraphQL errors (see errors.ts); a synchronous field stays synchronous. */
function withMappedErrors(resolve: (...args: unknown[]) => unknown) {
  return (...args: unknown[]) => {
    try {
      const result = resolve(...args);
      return result instanceof Promise
        ? result.catch((error: unknown) => Promise.reject(toGraphQLError(error)))
        : result;
    } catch (error) {
      throw toGraphQLError(error);
    }
  };
}
