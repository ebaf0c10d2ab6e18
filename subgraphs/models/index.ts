import { buildFederatedSchema } from '../shared/build-federated-schema.ts';
import { RegisteredModelResolver, modelReferences } from './model/resolver.ts';
import { FeatureUsageResolver, ModelVersionResolver } from './model-version/resolver.ts';

/** The models subgraph: registered models, versions, stages and (later) policies and promotions. */
export function buildModelsSubgraph() {
  return buildFederatedSchema({
    resolvers: [ModelVersionResolver, FeatureUsageResolver, RegisteredModelResolver],
    references: modelReferences,
  });
}
