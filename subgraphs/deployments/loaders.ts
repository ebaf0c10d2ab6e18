import { perRequest, type CairnContext } from '../shared/context.ts';
import { loaderByKey, loaderOfLists } from '../shared/loaders.ts';

/** The deployments subgraph's per-request DataLoaders. */
export const deploymentLoaders = perRequest((context: CairnContext) => {
  const { deployments } = context.services;
  return {
    endpoint: loaderByKey((ids) => deployments.endpointsByIds(ids), (row) => row.id),
    deployment: loaderByKey((ids) => deployments.deploymentsByIds(ids), (row) => row.id),
    deploymentsOfEndpoint: loaderOfLists((ids) => deployments.deploymentsByEndpointIds(ids), (row) => row.endpointId),
    deploymentsOfModelVersion: loaderOfLists((ids) => deployments.deploymentsByModelVersionIds(ids), (row) => row.modelVersionId),
  };
});
