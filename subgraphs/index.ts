import type { GraphQLSchema } from 'graphql';
import { buildDeploymentsSubgraph } from './deployments/index.ts';
import { buildFeaturesSubgraph } from './features/index.ts';
import { buildLineageSubgraph } from './lineage/index.ts';
import { buildModelsSubgraph } from './models/index.ts';

import { SUBGRAPH_NAMES, type SubgraphName } from './names.ts';

export { SUBGRAPH_NAMES, type SubgraphName };

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
