import { readFile, writeFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { lexicographicSortSchema, parse, printSchema } from 'graphql';
import { buildAllSubgraphs, SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/index.ts';

/** Where the composed supergraph lives: a build artifact, checked by a test to be current. */
export const SUPERGRAPH_PATH = new URL('./supergraph.graphql', import.meta.url);

/**
 * Where the public API schema lives: what clients see (the supergraph without its federation machinery: no join__ or
 * link__ types, no @join__ or @link directives), sorted so a diff shows only real changes. A committed contract, checked
 * by a test to be current and by `npm run schema:check` against the previous commit for breaking changes.
 */
export const API_SCHEMA_PATH = new URL('../schema.graphql', import.meta.url);

/** The port each subgraph listens on when served alone (`cairn serve --only <name>`). */
export const SUBGRAPH_PORTS: Record<SubgraphName, number> = {
  features: 4001,
  models: 4002,
  deployments: 4003,
  lineage: 4004,
};

export function defaultSubgraphUrl(name: SubgraphName): string {
  return `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql`;
}

/** The two artifacts of one composition: the supergraph the gateway plans with and the API schema clients see. */
export interface ComposedSchemas {
  supergraph: string;
  api: string;
}

/**
 * Composes the four subgraph schemas into a supergraph with @apollo/composition. The URLs in it are
 * the stand-alone defaults, so Apollo Router can read the same file; the gateway overrides them.
 * The API schema is the same composition's (`toAPISchema`, as the gateway derives it from the supergraph),
 * sorted lexicographically.
 */
export async function composeSchemas(): Promise<ComposedSchemas> {
  const schemas = await buildAllSubgraphs();
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: defaultSubgraphUrl(name),
      typeDefs: parse(printSubgraphSchema(schemas[name])),
    })),
  );
  if (result.errors) {
    throw new Error(`supergraph composition failed:\n${result.errors.map((e) => `- ${e.message}`).join('\n')}`);
  }
  const api = printSchema(lexicographicSortSchema(result.schema.toAPISchema().toGraphQLJSSchema()));
  return { supergraph: `${result.supergraphSdl.trimEnd()}\n`, api: `${api.trimEnd()}\n` };
}

export async function composeSupergraph(): Promise<string> {
  return (await composeSchemas()).supergraph;
}

export function readSupergraph(): Promise<string> {
  return readFile(SUPERGRAPH_PATH, 'utf8');
}

export function readApiSchema(): Promise<string> {
  return readFile(API_SCHEMA_PATH, 'utf8');
}

/** Writes both artifacts (gateway/supergraph.graphql and schema.graphql) from one composition. */
export async function writeSchemas(): Promise<ComposedSchemas> {
  const composed = await composeSchemas();
  await writeFile(SUPERGRAPH_PATH, composed.supergraph);
  await writeFile(API_SCHEMA_PATH, composed.api);
  return composed;
}
