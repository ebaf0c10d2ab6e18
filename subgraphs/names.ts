/** The four subgraphs, in composition order. Kept free of imports so the CLI can read it cheaply. */
export const SUBGRAPH_NAMES = ['features', 'models', 'deployments', 'lineage'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];
