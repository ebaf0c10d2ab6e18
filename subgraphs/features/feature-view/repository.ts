import type { Database, Transaction } from '../../../platform/database.ts';
import { globalId } from '../../../platform/ids.ts';
import type { FeatureViewRecord } from '../../../adapters/core/catalog-source.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';
import { insertOrUpdate, removedAt, seenAt, type SyncedRow } from '../../shared/synced-rows.ts';

/** A feature view a sync pulled, with the hash of its definition (a changed definition, a changed hash). */
export interface SyncedFeatureView extends SyncedRow<FeatureViewRecord> {
  definitionHash: string;
}

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
  features: {
    id: string;
    name: string;
    dtype: string;
    description: string | null;
    checks: Prisma.InputJsonObject;
    position: number;
  }[];
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

  /** The latest version of the view of this name at each provider holding one, by provider name. */
  latestPerProvider(name: string) {
    return this.db.featureView.findMany({
      where: { name },
      distinct: ['providerName'],
      orderBy: [{ providerName: 'asc' }, { version: 'desc' }],
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
      const latest = await this.db.featureView.groupBy({
        by: ['providerName', 'name'],
        where,
        _max: { version: true },
      });
      where.OR = latest.length
        ? latest.map((l) => ({ providerName: l.providerName, name: l.name, version: l._max.version! }))
        : [{ id: { in: [] } }];
    }
    const [items, totalCount] = await Promise.all([
      this.db.featureView.findMany({
        where,
        orderBy: [{ name: 'asc' }, { version: 'asc' }],
        skip: offset,
        take: limit,
      }),
      this.db.featureView.count({ where }),
    ]);
    return { items, totalCount };
  }

  // --- feature views as their owner reports them (a cloud's feature groups, pulled by sync) ------

  /**
   * Records feature views of `provider` and their features as their owner now reports them. A
   * cloud's feature group has one version in Cairn (1): the owner keeps no version history.
   */
  async upsertSynced(tx: Transaction, provider: string, items: readonly SyncedFeatureView[], now: Date) {
    const idOf = (item: SyncedFeatureView) => globalId('featureView', provider, item.nativeId);
    const fields = ({ record, definitionHash }: SyncedFeatureView) => ({
      entity: record.entity,
      joinKey: record.joinKey,
      ttlSeconds: record.ttlSeconds,
      description: record.description,
      tags: record.tags,
      definitionHash,
      ...seenAt(now),
    });
    await insertOrUpdate(
      items,
      idOf,
      (ids) => tx.featureView.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      (fresh) =>
        tx.featureView.createMany({
          data: fresh.map((item) => ({
            id: idOf(item),
            providerName: provider,
            name: item.record.name,
            version: 1,
            nativeId: item.nativeId,
            ...fields(item),
          })),
        }),
      (item) => tx.featureView.update({ where: { id: idOf(item) }, data: fields(item) }),
    );
    const features = items.flatMap((item) =>
      item.record.features.map((feature, position) => ({
        id: globalId('feature', provider, `${item.nativeId}/${feature.name}`),
        featureViewId: idOf(item),
        name: feature.name,
        fields: { dtype: feature.dtype, description: feature.description, position },
      })),
    );
    await insertOrUpdate(
      features,
      (f) => f.id,
      (ids) => tx.feature.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      (fresh) =>
        tx.feature.createMany({
          data: fresh.map((f) => ({ id: f.id, featureViewId: f.featureViewId, name: f.name, ...f.fields })),
        }),
      (f) => tx.feature.update({ where: { id: f.id }, data: f.fields }),
    );
  }

  /** Feature views gone from their owner (the rows and their history stay). */
  async markRemoved(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.featureView.updateMany({ where: { id: { in: [...ids] } }, data: removedAt(now) });
  }

  /** Feature views a sync saw unchanged. */
  async touchSeen(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.featureView.updateMany({ where: { id: { in: [...ids] } }, data: { lastSeenAt: now } });
  }
}
