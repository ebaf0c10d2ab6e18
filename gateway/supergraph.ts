import { readFile, writeFile } from 'node:fs/promises';
import { composeServices } from '@apollo/composition';
import { printSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { buildAllSubgraphs, SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/index.ts';

/** Where the composed supergraph lives: a build artifact, checked by a test to be current. */
export const SUPERGRAPH_PATH = new URL('./supergraph.graphql', import.meta.url);

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

/**
 * Composes the four subgraph schemas into a supergraph with @apollo/composition. The URLs in it are
 * the stand-alone defaults, so Apollo Router can read the same file; the gateway overrides them.
 */
export async function composeSupergraph(): Promise<string> {
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
  return `${result.supergraphSdl.trimEnd()}\n`;
}

export function readSupergraph(): Promise<string> {
  return readFile(SUPERGRAPH_PATH, 'utf8');
}

export async function writeSupergraph(): Promise<string> {
  const sdl = await composeSupergraph();
  await writeFile(SUPERGRAPH_PATH, sdl);
  return sdl;
}
