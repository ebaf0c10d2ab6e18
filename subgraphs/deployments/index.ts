import { buildFederatedSchema } from '../shared/build-federated-schema.ts';
import type { CairnContext } from '../shared/context.ts';
import { EndpointDeployRuleResolver } from './deploy-rule/resolver.ts';
import { DeploymentResolver, ModelVersionDeploymentsResolver } from './deployment/resolver.ts';
import { EndpointResolver } from './endpoint/resolver.ts';
import { deploymentLoaders } from './loaders.ts';
import { RolloutResolver } from './rollout/resolver.ts';
import { TrafficShareResolver } from './traffic/resolver.ts';

/** The deployments subgraph: endpoints, deployments, traffic splits and their history, rollouts, deploy rules. */
export function buildDeploymentsSubgraph() {
  return buildFederatedSchema({
    resolvers: [
      EndpointResolver,
      DeploymentResolver,
      ModelVersionDeploymentsResolver,
      TrafficShareResolver,
      RolloutResolver,
      EndpointDeployRuleResolver,
    ],
    references: {
      Endpoint: {
        __resolveReference: (ref: { id: string }, context: CairnContext) =>
          deploymentLoaders(context).endpoint.load(ref.id),
      },
      Deployment: {
        __resolveReference: (ref: { id: string }, context: CairnContext) =>
          deploymentLoaders(context).deployment.load(ref.id),
      },
    },
  });
}
