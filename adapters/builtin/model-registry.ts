import type { Database } from '../../platform/database.ts';
import { NotFoundError } from '../../platform/errors.ts';
import type { ModelRegistryProvider, VersionRef } from '../core/model-registry.ts';
import type { Stage } from '../core/domain.ts';
import { BUILTIN_PROVIDER } from './provider.ts';

/**
 * The built-in registry: Cairn's catalog is the owner (`catalogIsOwner`), so a stage change has
 * nothing to call and the promotion's commit is the change itself; reading the owner back is
 * reading the catalog.
 */
export class BuiltinModelRegistryProvider implements ModelRegistryProvider {
  readonly providerName = BUILTIN_PROVIDER;
  readonly catalogIsOwner = true;

  constructor(private readonly db: Database) {}

  async registerVersion(modelName: string, version: number) {
    return { nativeId: `${modelName}/${version}` };
  }

  async transitionStage(version: VersionRef, _stage: Stage) {
    if ((await this.stageOf(version)) === null) throw new NotFoundError('ModelVersion', version.id);
  }

  async stageOf(version: VersionRef): Promise<Stage | null> {
    const row = await this.db.modelVersion.findUnique({ where: { id: version.id }, select: { stage: true } });
    return row?.stage ?? null;
  }
}
