import { perRequest, type CairnContext } from '../shared/context.ts';
import { loaderByKey, loaderOfLists } from '../shared/loaders.ts';

/** The deployments subgraph's per-request DataLoaders. */
export const deploymentLoaders = perRequest((context: CairnContext) => {
  const { endpoints, deployments, rollouts, rules } = context.services.deployments;
  return {
    endpoint: loaderByKey(
      (ids) => endpoints.byIds(ids),
      (row) => row.id,
    ),
    deployment: loaderByKey(
      (ids) => deployments.byIds(ids),
      (row) => row.id,
    ),
    deploymentsOfEndpoint: loaderOfLists(
      (ids) => deployments.byEndpointIds(ids),
      (row) => row.endpointId,
    ),
    deploymentsOfModelVersion: loaderOfLists(
      (ids) => deployments.byModelVersionIds(ids),
      (row) => row.modelVersionId,
    ),
    rollout: loaderByKey(
      (ids) => rollouts.byIds(ids),
      (row) => row.id,
    ),
    activeRolloutOfEndpoint: loaderByKey(
      (ids) => rollouts.activeByEndpointIds(ids),
      (row) => row.endpointId,
    ),
    deployRuleOfEndpoint: loaderByKey(
      (ids) => rules.byEndpointIds(ids),
      (row) => row.endpointId,
    ),
  };
});
