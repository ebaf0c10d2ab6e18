import type { Database } from '../../../platform/database.ts';
import { Prisma } from '../../../prisma/generated/client.ts';

export class FeatureRepository {
  constructor(private readonly db: Database) {}

  /**
   * Features of the latest version of each view (every version with `allVersions`) matching a filter,
   * by ID, `take` after the feature with ID `afterId`; and how many match.
   */
  async page(
    filter: {
      namePrefix?: string | null;
      provider?: string | null;
      featureView?: string | null;
      allVersions?: boolean | null;
    },
    take: number,
    afterId: string | null,
  ) {
    const conditions = [
      filter.allVersions
        ? Prisma.sql`TRUE`
        : Prisma.sql`NOT EXISTS (SELECT 1 FROM feature_view later WHERE later.provider_name = v.provider_name
            AND later.name = v.name AND later.version > v.version)`,
      filter.namePrefix ? Prisma.sql`starts_with(f.name, ${filter.namePrefix})` : Prisma.sql`TRUE`,
      filter.provider ? Prisma.sql`v.provider_name = ${filter.provider}` : Prisma.sql`TRUE`,
      filter.featureView ? Prisma.sql`v.name = ${filter.featureView}` : Prisma.sql`TRUE`,
    ];
    const where = Prisma.join(conditions, ' AND ');
    const from = Prisma.sql`FROM feature f JOIN feature_view v ON v.id = f.feature_view_id WHERE ${where}`;
    const [ids, [count]] = await Promise.all([
      this.db.$queryRaw<
        { id: string }[]
      >`SELECT f.id ${from} ${afterId != null ? Prisma.sql`AND f.id > ${afterId}` : Prisma.empty}
        ORDER BY f.id LIMIT ${take}`,
      this.db.$queryRaw<{ total: number }[]>`SELECT count(*)::int AS total ${from}`,
    ]);
    const rows = await this.db.feature.findMany({ where: { id: { in: ids.map((r) => r.id) } } });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return { rows: ids.map((r) => byId.get(r.id)!).filter(Boolean), total: count?.total ?? 0 };
  }

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
