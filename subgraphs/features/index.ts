import { buildFederatedSchema } from '../shared/build-federated-schema.ts';
import { DatasetResolver } from './dataset/resolver.ts';
import { FeatureResolver, featureReferences } from './feature/resolver.ts';
import { FeatureViewResolver } from './feature-view/resolver.ts';
import { FeatureIncidentResolver } from './incident/resolver.ts';
import { IngestResolver } from './ingest/resolver.ts';
import { MaterializationResolver } from './materialization/resolver.ts';
import { OnlineFeatureResolver } from './online/resolver.ts';

/** The features subgraph: feature views, features, datasets, online lookups, quality incidents. */
export function buildFeaturesSubgraph() {
  return buildFederatedSchema({
    resolvers: [
      FeatureViewResolver,
      FeatureResolver,
      OnlineFeatureResolver,
      IngestResolver,
      MaterializationResolver,
      DatasetResolver,
      FeatureIncidentResolver,
    ],
    references: featureReferences,
  });
}
