import { buildFederatedSchema } from '../shared/build-federated-schema.ts';
import { LineageResolver } from './graph/resolver.ts';
import { ProviderResolver, providerReferences } from './provider/resolver.ts';
import { SyncRunResolver } from './sync/resolver.ts';

/**
 * The lineage subgraph: the cross-cloud catalog's providers and their syncs, the lineage graph and
 * impact analysis over the edge table every other subgraph writes.
 */
export function buildLineageSubgraph() {
  return buildFederatedSchema({
    resolvers: [ProviderResolver, LineageResolver, SyncRunResolver],
    references: providerReferences,
  });
}
