import { NotFoundError } from '../../platform/errors.ts';
import type { ModelRegistryProvider, VersionRef } from '../core/model-registry.ts';
import type { Stage } from '../core/domain.ts';
import type { Transaction } from '../../platform/database.ts';
import { BUILTIN_PROVIDER } from './provider.ts';

/** The built-in registry: Cairn's catalog is the owner, so its writes are the catalog's own rows. */
export class BuiltinModelRegistryProvider implements ModelRegistryProvider {
  readonly providerName = BUILTIN_PROVIDER;

  async registerVersion(_tx: Transaction, modelName: string, version: number) {
    return { nativeId: `${modelName}/${version}` };
  }

  async transitionStage(tx: Transaction, version: VersionRef, stage: Stage) {
    const { count } = await tx.modelVersion.updateMany({ where: { id: version.id }, data: { stage } });
    if (count === 0) throw new NotFoundError('ModelVersion', version.id);
  }
}
