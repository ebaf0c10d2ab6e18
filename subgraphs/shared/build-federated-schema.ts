import 'reflect-metadata';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { parse, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type NonEmptyArray } from 'type-graphql';
import { mapErrors, mapErrorsMiddleware } from './errors.ts';
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
    globalMiddlewares: [mapErrorsMiddleware],
    validate: false,
    skipCheck: true,
  });
  const resolvers: Record<string, object> = createResolversMap(schema);
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
