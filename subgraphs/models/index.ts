import { buildFederatedSchema } from '../shared/build-federated-schema.ts';
import { ApprovalResolver } from './approval/resolver.ts';
import { AuditResolver } from './audit/resolver.ts';
import { RegisteredModelResolver, modelReferences } from './model/resolver.ts';
import { FeatureUsageResolver, ModelVersionResolver } from './model-version/resolver.ts';
import { PolicyResolver } from './policy/resolver.ts';
import { PromotionResolver } from './promotion/resolver.ts';
import { WebhookResolver } from './webhook/resolver.ts';

/** The models subgraph: registered models and versions, policies, approvals, promotions, audit, webhooks. */
export function buildModelsSubgraph() {
  return buildFederatedSchema({
    resolvers: [
      ModelVersionResolver,
      FeatureUsageResolver,
      RegisteredModelResolver,
      PolicyResolver,
      ApprovalResolver,
      PromotionResolver,
      AuditResolver,
      WebhookResolver,
    ],
    references: modelReferences,
  });
}
