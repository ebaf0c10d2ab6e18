import type { Database } from '../../../platform/database.ts';
import { FeatureRepository } from './repository.ts';

export class FeatureService {
  private readonly repository: FeatureRepository;

  constructor(db: Database) {
    this.repository = new FeatureRepository(db);
  }

  byIds(ids: readonly string[]) {
    return this.repository.byIds(ids);
  }

  byViewIds(viewIds: readonly string[]) {
    return this.repository.byViewIds(viewIds);
  }

  openIncidentsByFeatureIds(featureIds: readonly string[]) {
    return this.repository.openIncidentsByFeatureIds(featureIds);
  }

  datasetsByIds(ids: readonly string[]) {
    return this.repository.datasetsByIds(ids);
  }

  featuresOfDatasets(datasetIds: readonly string[]) {
    return this.repository.featuresOfDatasets(datasetIds);
  }
}
