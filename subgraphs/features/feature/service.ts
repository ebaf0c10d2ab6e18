import type { Database } from '../../../platform/database.ts';
import { pageArgs, toConnection } from '../../shared/connection.ts';
import { FeatureRepository } from './repository.ts';

export class FeatureService {
  private readonly repository: FeatureRepository;

  constructor(db: Database) {
    this.repository = new FeatureRepository(db);
  }

  /** features(filter, first, after): a connection ordered by ID (provider, view, version, name). */
  async list(
    filter: {
      namePrefix?: string | null;
      provider?: string | null;
      featureView?: string | null;
      allVersions?: boolean | null;
    } | null,
    first: number,
    after: string | null,
  ) {
    const page = pageArgs(first, after);
    const { rows, total } = await this.repository.page(filter ?? {}, page.first + 1, page.afterKey);
    return toConnection(rows, page.first, (row) => row.id, total, page.afterKey != null);
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
