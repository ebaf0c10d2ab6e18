import { perRequest, type CairnContext } from '../shared/context.ts';
import { loaderByKey, loaderOfLists } from '../shared/loaders.ts';

/** The models subgraph's per-request DataLoaders. */
export const modelLoaders = perRequest((context: CairnContext) => {
  const { versions, approvals, promotions } = context.services.models;
  const repository = versions.repository;
  return {
    model: loaderByKey(
      (ids) => repository.modelsByIds(ids),
      (row) => row.id,
    ),
    modelVersion: loaderByKey(
      (ids) => repository.versionsByIds(ids),
      (row) => row.id,
    ),
    versionsOfModel: loaderOfLists(
      (ids) => repository.versionsByModelIds(ids),
      (row) => row.modelId,
    ),
    featuresOfVersion: loaderOfLists(
      (ids) => repository.featureLinksByVersionIds(ids),
      (row) => row.modelVersionId,
    ),
    versionsUsingFeature: loaderOfLists(
      (ids) => repository.versionsUsingFeatures(ids),
      (row) => row.featureId,
    ),
    approvalsOfVersion: loaderOfLists(
      (ids) => approvals.byVersionIds(ids),
      (row) => row.modelVersionId,
    ),
    promotionsOfVersion: loaderOfLists(
      (ids) => promotions.byVersionIds(ids),
      (row) => row.modelVersionId,
    ),
  };
});
