import type { GraphQLSchema } from 'graphql';
import { buildDeploymentsSubgraph } from './deployments/index.ts';
import { buildFeaturesSubgraph } from './features/index.ts';
import { buildLineageSubgraph } from './lineage/index.ts';
import { buildModelsSubgraph } from './models/index.ts';

export const SUBGRAPH_NAMES = ['features', 'models', 'deployments', 'lineage'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const builders: Record<SubgraphName, () => Promise<GraphQLSchema>> = {
  features: buildFeaturesSubgraph,
  models: buildModelsSubgraph,
  deployments: buildDeploymentsSubgraph,
  lineage: buildLineageSubgraph,
};

export function buildSubgraph(name: SubgraphName): Promise<GraphQLSchema> {
  return builders[name]();
}

export async function buildAllSubgraphs(): Promise<Record<SubgraphName, GraphQLSchema>> {
  const entries = await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await buildSubgraph(name)] as const));
  return Object.fromEntries(entries) as Record<SubgraphName, GraphQLSchema>;
}
