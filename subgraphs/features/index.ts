import { Dataset } from './dataset/type.ts';
import { buildFederatedSchema } from '../shared/build-federated-schema.ts';
import { FeatureResolver, featureReferences } from './feature/resolver.ts';
import { FeatureViewResolver } from './feature-view/resolver.ts';
import { OnlineFeatureResolver } from './online/resolver.ts';

/** The features subgraph: feature views, features, datasets, online lookups, quality incidents. */
export function buildFeaturesSubgraph() {
  return buildFederatedSchema({
    resolvers: [FeatureViewResolver, FeatureResolver, OnlineFeatureResolver],
    orphanedTypes: [Dataset],
    references: featureReferences,
  });
}
