import type { Database, Transaction } from '../../../platform/database.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';

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
    return this.db.registeredModel.findMany({ where: { name, ...(providerName ? { providerName } : {}) }, orderBy: { providerName: 'asc' } });
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
}
