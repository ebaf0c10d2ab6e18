import type { Database, Transaction } from '../../../platform/database.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';

export interface FeatureViewFilter {
  owner?: string | null;
  tag?: string | null;
  namePrefix?: string | null;
  provider?: string | null;
  allVersions?: boolean | null;
}

export interface NewFeatureView {
  id: string;
  providerName: string;
  name: string;
  version: number;
  entity: string;
  joinKey: string;
  ttlSeconds: number | null;
  owner: string | null;
  description: string | null;
  tags: string[];
  definitionHash: string;
  nativeId: string;
  features: { id: string; name: string; dtype: string; description: string | null; checks: Prisma.InputJsonObject; position: number }[];
}

export class FeatureViewRepository {
  constructor(private readonly db: Database) {}

  latest(tx: Transaction, providerName: string, name: string) {
    return tx.featureView.findFirst({ where: { providerName, name }, orderBy: { version: 'desc' } });
  }

  find(name: string, version?: number | null, providerName?: string | null) {
    return this.db.featureView.findFirst({
      where: { name, ...(version != null ? { version } : {}), ...(providerName ? { providerName } : {}) },
      orderBy: { version: 'desc' },
    });
  }

  byIds(ids: readonly string[]) {
    return this.db.featureView.findMany({ where: { id: { in: [...ids] } } });
  }

  create(tx: Transaction, view: NewFeatureView) {
    const { features, ...row } = view;
    return tx.featureView.create({ data: { ...row, features: { create: features } } });
  }

  async list(filter: FeatureViewFilter, limit: number, offset: number) {
    const where: Prisma.FeatureViewWhereInput = {
      ...(filter.owner ? { owner: filter.owner } : {}),
      ...(filter.tag ? { tags: { has: filter.tag } } : {}),
      ...(filter.namePrefix ? { name: { startsWith: filter.namePrefix } } : {}),
      ...(filter.provider ? { providerName: filter.provider } : {}),
    };
    if (!filter.allVersions) {
      // Latest version per (provider, name): no later version of the same view exists.
      const latest = await this.db.featureView.groupBy({ by: ['providerName', 'name'], where, _max: { version: true } });
      where.OR = latest.length
        ? latest.map((l) => ({ providerName: l.providerName, name: l.name, version: l._max.version! }))
        : [{ id: { in: [] } }];
    }
    const [items, totalCount] = await Promise.all([
      this.db.featureView.findMany({ where, orderBy: [{ name: 'asc' }, { version: 'asc' }], skip: offset, take: limit }),
      this.db.featureView.count({ where }),
    ]);
    return { items, totalCount };
  }
}
