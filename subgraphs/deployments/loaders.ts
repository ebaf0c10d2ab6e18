import type { PageRequest, TimeKey } from '../shared/connection.ts';
import { perRequest, type CairnContext } from '../shared/context.ts';
import { loaderByKey, loaderOfLists, loaderOfPages } from '../shared/loaders.ts';

/** The deployments subgraph's per-request DataLoaders. */
export const deploymentLoaders = perRequest((context: CairnContext) => {
  const { endpoints, deployments, rollouts, rules, traffic } = context.services.deployments;
  return {
    endpoint: loaderByKey(
      (ids) => endpoints.byIds(ids),
      (row) => row.id,
    ),
    deployment: loaderByKey(
      (ids) => deployments.byIds(ids),
      (row) => row.id,
    ),
    sharingDeploymentsOfEndpoint: loaderOfLists(
      (ids) => deployments.sharingByEndpointIds(ids),
      (row) => row.endpointId,
    ),
    deploymentPageOfEndpoint: loaderOfPages(
      (ids, { request, status }: { request: PageRequest<TimeKey>; status: string | null }) =>
        deployments.pageOfEndpoints(ids, request.size + 1, request.cursor, status),
      (row) => row.endpointId,
      (ids, { status }) => deployments.countByEndpointIds(ids, status),
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
    rolloutPageOfEndpoint: loaderOfPages(
      (ids, page: PageRequest<TimeKey>) => rollouts.pageOfEndpoints(ids, page.size + 1, page.cursor),
      (row) => row.endpointId,
      (ids) => rollouts.countByEndpointIds(ids),
    ),
    trafficHistoryPageOfEndpoint: loaderOfPages(
      (ids, page: PageRequest<string>) =>
        traffic.historyOfEndpoints(ids, page.size + 1, page.cursor == null ? null : BigInt(page.cursor), page.backward),
      (row) => row.endpointId,
      (ids) => traffic.countHistoryOfEndpoints(ids),
    ),
    deployRuleOfEndpoint: loaderByKey(
      (ids) => rules.byEndpointIds(ids),
      (row) => row.endpointId,
    ),
  };
});
