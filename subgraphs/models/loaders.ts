import { perRequest, type CairnContext } from '../shared/context.ts';
import { loaderByKey, loaderOfLists } from '../shared/loaders.ts';

/** The models subgraph's per-request DataLoaders. */
export const modelLoaders = perRequest((context: CairnContext) => {
  const { models } = context.services;
  return {
    model: loaderByKey((ids) => models.modelsByIds(ids), (row) => row.id),
    modelVersion: loaderByKey((ids) => models.versionsByIds(ids), (row) => row.id),
    versionsOfModel: loaderOfLists((ids) => models.versionsByModelIds(ids), (row) => row.modelId),
    featuresOfVersion: loaderOfLists((ids) => models.featureLinksByVersionIds(ids), (row) => row.modelVersionId),
    versionsUsingFeature: loaderOfLists((ids) => models.versionsUsingFeatures(ids), (row) => row.featureId),
  };
});
