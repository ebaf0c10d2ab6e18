import type { Database, Transaction } from '../../../platform/database.ts';
import { globalId } from '../../../platform/ids.ts';
import type { ModelVersionRecord, RegisteredModelRecord } from '../../../adapters/core/catalog-source.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';
import { insertOrUpdate, removedAt, seenAt, type SyncedRow } from '../../shared/synced-rows.ts';

export class ModelVersionRepository {
  constructor(private readonly db: Database) {}

  /**
   * Creates the model if new and locks its row, so version numbers are taken one at a time. The
   * next number is read by a second statement: in READ COMMITTED a statement's snapshot predates
   * its lock wait, so reading it in the locking statement could miss the version just committed.
   */
  async lockModel(tx: Transaction, model: { id: string; providerName: string; name: string; nativeId: string }) {
    await tx.$executeRaw`
      INSERT INTO registered_model (id, provider_name, name, native_id)
      VALUES (${model.id}, ${model.providerName}, ${model.name}, ${model.nativeId})
      ON CONFLICT (id) DO NOTHING`;
    await tx.$executeRaw`SELECT 1 FROM registered_model WHERE id = ${model.id} FOR UPDATE`;
    const latest = await tx.modelVersion.aggregate({ where: { modelId: model.id }, _max: { version: true } });
    return { nextVersion: (latest._max.version ?? 0) + 1 };
  }

  /** The number the model's next version would take now (1 for a model not registered yet); read without a lock. */
  async nextVersion(modelId: string) {
    const latest = await this.db.modelVersion.aggregate({ where: { modelId }, _max: { version: true } });
    return (latest._max.version ?? 0) + 1;
  }

  createVersion(tx: Transaction, data: Prisma.ModelVersionUncheckedCreateInput, featureIds: string[]) {
    return tx.modelVersion.create({
      data: { ...data, features: { create: featureIds.map((featureId) => ({ featureId })) } },
    });
  }

  providerByName(name: string) {
    return this.db.provider.findUnique({ where: { name } });
  }

  existingFeatureIds(ids: readonly string[]) {
    return this.db.feature.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
  }

  datasetExists(id: string) {
    return this.db.dataset.count({ where: { id } }).then((n) => n > 0);
  }

  /** Newest first; `after` is the last ID of the previous page. */
  search(where: Prisma.ModelVersionWhereInput, take: number, after: string | null) {
    return this.db.modelVersion.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take,
      ...(after ? { cursor: { id: after }, skip: 1 } : {}),
    });
  }

  modelsByName(name: string, providerName?: string | null) {
    return this.db.registeredModel.findMany({
      where: { name, ...(providerName ? { providerName } : {}) },
      orderBy: { providerName: 'asc' },
    });
  }

  /** Models matching a filter, by ID (provider, then name), `take` after the model with ID `afterId`; and how many match. */
  async modelsPage(
    filter: { namePrefix?: string | null; provider?: string | null; tag?: string | null },
    take: number,
    afterId: string | null,
  ) {
    const where: Prisma.RegisteredModelWhereInput = {
      ...(filter.namePrefix ? { name: { startsWith: filter.namePrefix } } : {}),
      ...(filter.provider ? { providerName: filter.provider } : {}),
      ...(filter.tag ? { tags: { has: filter.tag } } : {}),
    };
    const [rows, total] = await Promise.all([
      this.db.registeredModel.findMany({
        where: { ...where, ...(afterId != null ? { id: { gt: afterId } } : {}) },
        orderBy: { id: 'asc' },
        take,
      }),
      this.db.registeredModel.count({ where }),
    ]);
    return { rows, total };
  }

  modelsByIds(ids: readonly string[]) {
    return this.db.registeredModel.findMany({ where: { id: { in: [...ids] } } });
  }

  versionsByIds(ids: readonly string[]) {
    return this.db.modelVersion.findMany({ where: { id: { in: [...ids] } } });
  }

  versionsByModelIds(modelIds: readonly string[]) {
    return this.db.modelVersion.findMany({ where: { modelId: { in: [...modelIds] } }, orderBy: { version: 'asc' } });
  }

  featureLinksByVersionIds(versionIds: readonly string[]) {
    return this.db.modelVersionFeature.findMany({ where: { modelVersionId: { in: [...versionIds] } } });
  }

  async versionsUsingFeatures(featureIds: readonly string[]) {
    const links = await this.db.modelVersionFeature.findMany({
      where: { featureId: { in: [...featureIds] } },
      include: { modelVersion: true },
      orderBy: { modelVersionId: 'asc' },
    });
    return links.map((link) => ({ ...link.modelVersion, featureId: link.featureId }));
  }

  // --- models and versions as their owner reports them (a cloud's registry, pulled by sync) -----

  /** Records registered models of `provider` as their owner now reports them (seen now; back if removed). */
  async upsertSyncedModels(
    tx: Transaction,
    provider: string,
    items: readonly SyncedRow<RegisteredModelRecord>[],
    now: Date,
  ) {
    const idOf = (item: SyncedRow<RegisteredModelRecord>) => globalId('model', provider, item.nativeId);
    const fields = ({ record }: SyncedRow<RegisteredModelRecord>) => ({
      description: record.description,
      tags: record.tags,
      ...seenAt(now),
    });
    await insertOrUpdate(
      items,
      idOf,
      (ids) => tx.registeredModel.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      (fresh) =>
        tx.registeredModel.createMany({
          data: fresh.map((item) => ({
            id: idOf(item),
            providerName: provider,
            name: item.record.name,
            nativeId: item.nativeId,
            ...fields(item),
          })),
        }),
      (item) => tx.registeredModel.update({ where: { id: idOf(item) }, data: fields(item) }),
    );
  }

  /**
   * Records model versions of `provider` as their owner now reports them, stage included: the
   * owner's stage is the truth (a promotion made in the cloud's own console shows up here).
   */
  async upsertSyncedVersions(
    tx: Transaction,
    provider: string,
    items: readonly SyncedRow<ModelVersionRecord>[],
    now: Date,
  ) {
    const idOf = (item: SyncedRow<ModelVersionRecord>) => globalId('modelVersion', provider, item.nativeId);
    const fields = ({ record }: SyncedRow<ModelVersionRecord>) => ({
      stage: record.stage,
      artifactUri: record.artifactUri,
      imageUri: record.imageUri,
      gitCommit: record.gitCommit,
      description: record.description,
      createdBy: record.createdBy,
      metrics: record.metrics,
      params: record.params,
      tags: record.tags,
      ...seenAt(now),
    });
    await insertOrUpdate(
      items,
      idOf,
      (ids) => tx.modelVersion.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      (fresh) =>
        tx.modelVersion.createMany({
          data: fresh.map((item) => ({
            id: idOf(item),
            modelId: globalId('model', provider, item.record.modelNativeId),
            version: item.record.version,
            nativeId: item.nativeId,
            ...fields(item),
          })),
        }),
      (item) => tx.modelVersion.update({ where: { id: idOf(item) }, data: fields(item) }),
    );
  }

  /** Registered models gone from their owner (the rows and their history stay). */
  async markModelsRemoved(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.registeredModel.updateMany({ where: { id: { in: [...ids] } }, data: removedAt(now) });
  }

  /** Model versions gone from their owner (promotions and audit events keep pointing at them). */
  async markVersionsRemoved(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.modelVersion.updateMany({ where: { id: { in: [...ids] } }, data: removedAt(now) });
  }

  /** Registered models a sync saw unchanged. */
  async touchModels(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.registeredModel.updateMany({ where: { id: { in: [...ids] } }, data: { lastSeenAt: now } });
  }

  /** Model versions a sync saw unchanged. */
  async touchVersions(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.modelVersion.updateMany({ where: { id: { in: [...ids] } }, data: { lastSeenAt: now } });
  }
}
