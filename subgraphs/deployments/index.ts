import { buildFederatedSchema } from '../shared/build-federated-schema.ts';
import { DeploymentResolver, EndpointResolver, ModelVersionDeploymentsResolver, deploymentReferences } from './endpoint/resolver.ts';

/** The deployments subgraph: endpoints, deployments and traffic splits (rollouts come later). */
export function buildDeploymentsSubgraph() {
  return buildFederatedSchema({
    resolvers: [EndpointResolver, DeploymentResolver, ModelVersionDeploymentsResolver],
    references: deploymentReferences,
  });
}
