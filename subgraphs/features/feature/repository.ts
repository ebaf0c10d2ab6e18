import type { Database } from '../../../platform/database.ts';

export class FeatureRepository {
  constructor(private readonly db: Database) {}

  byIds(ids: readonly string[]) {
    return this.db.feature.findMany({ where: { id: { in: [...ids] } } });
  }

  byViewIds(viewIds: readonly string[]) {
    return this.db.feature.findMany({ where: { featureViewId: { in: [...viewIds] } }, orderBy: { position: 'asc' } });
  }

  openIncidentsByFeatureIds(featureIds: readonly string[]) {
    return this.db.featureIncident.findMany({
      where: { featureId: { in: [...featureIds] }, status: 'OPEN' },
      orderBy: { createdAt: 'asc' },
    });
  }

  datasetsByIds(ids: readonly string[]) {
    return this.db.dataset.findMany({ where: { id: { in: [...ids] } } });
  }

  featuresOfDatasets(datasetIds: readonly string[]) {
    return this.db.datasetFeature.findMany({
      where: { datasetId: { in: [...datasetIds] } },
      orderBy: { position: 'asc' },
      include: { feature: true },
    });
  }
}
