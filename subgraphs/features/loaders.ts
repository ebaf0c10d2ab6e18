import { perRequest, type CairnContext } from '../shared/context.ts';
import { loaderByKey, loaderOfLists } from '../shared/loaders.ts';

/** The features subgraph's per-request DataLoaders: one query per batch, whatever the fan-out. */
export const featureLoaders = perRequest((context: CairnContext) => {
  const { featureViews, features } = context.services.features;
  return {
    featureView: loaderByKey(
      (ids) => featureViews.byIds(ids),
      (row) => row.id,
    ),
    feature: loaderByKey(
      (ids) => features.byIds(ids),
      (row) => row.id,
    ),
    featuresOfView: loaderOfLists(
      (ids) => features.byViewIds(ids),
      (row) => row.featureViewId,
    ),
    openIncidents: loaderOfLists(
      (ids) => features.openIncidentsByFeatureIds(ids),
      (row) => row.featureId,
    ),
    dataset: loaderByKey(
      (ids) => features.datasetsByIds(ids),
      (row) => row.id,
    ),
    featuresOfDataset: loaderOfLists(
      async (ids) =>
        (await features.featuresOfDatasets(ids)).map((link) => ({ ...link.feature, datasetId: link.datasetId })),
      (row) => row.datasetId,
    ),
  };
});
