import { describe, expect, it } from 'vitest';
import type { Database } from '../../platform/database.ts';
import type { ModelRegistryProvider } from '../../adapters/core/model-registry.ts';

export interface ModelRegistryContractSetup {
  provider: ModelRegistryProvider;
  db: Database;
  close(): Promise<void>;
  /**
   * Creates version `version` of `modelName` at the owner and answers its native ID. Owners that
   * take registrations from Cairn leave it out (registerVersion is used); a cloud whose versions
   * arrive by sync creates them the way its own tooling would (the emulator's state).
   */
  createVersion?: (modelName: string, version: number) => Promise<string>;
}

/**
 * What every ModelRegistryProvider must do. `setup` gives a fresh provider, the catalog database,
 * and (for owners that do not take registrations) a way to create a version at the owner.
 */
export function modelRegistryContract(name: string, setup: () => Promise<ModelRegistryContractSetup>) {
  const create = (s: ModelRegistryContractSetup, modelName: string, version: number) =>
    s.createVersion
      ? s.createVersion(modelName, version)
      : s.provider.registerVersion(modelName, version).then((r) => r.nativeId);

  describe(`ModelRegistryProvider contract: ${name}`, () => {
    it('answers distinct native IDs for successive versions of a model', async () => {
      const s = await setup();
      try {
        const ids = [
          await create(s, 'contract-a', 1),
          await create(s, 'contract-a', 2),
          await create(s, 'contract-b', 1),
        ];
        expect(new Set(ids).size).toBe(3);
      } finally {
        await s.close();
      }
    });

    it('answers NOT_SUPPORTED to a registration when versions arrive from the owner', async (context) => {
      const s = await setup();
      try {
        if (!s.createVersion) return context.skip();
        const error = await s.provider.registerVersion('contract-d', 1).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'NOT_SUPPORTED' });
      } finally {
        await s.close();
      }
    });

    it('moves a version to a stage at the owner, and only that version, writing nothing to the catalog', async () => {
      const s = await setup();
      const { provider, db, close } = s;
      try {
        const model = await db.registeredModel.create({
          data: {
            id: `model:${provider.providerName}:contract-c`,
            providerName: provider.providerName,
            name: 'contract-c',
            nativeId: 'contract-c',
          },
        });
        const versions = [];
        for (const version of [1, 2]) {
          const nativeId = await create(s, 'contract-c', version);
          versions.push(
            await db.modelVersion.create({
              data: { id: `modelVersion:${provider.providerName}:${nativeId}`, modelId: model.id, version, nativeId },
            }),
          );
        }
        const [v1, v2] = versions as [(typeof versions)[0], (typeof versions)[0]];
        const ref = (v: typeof v1) => ({ id: v.id, nativeId: v.nativeId, modelName: 'contract-c', version: v.version });
        // Where a new version starts is the owner's (SageMaker: pending approval, i.e. STAGING).
        const v2Before = await provider.stageOf(ref(v2));
        expect(v2Before).not.toBeNull();
        await provider.transitionStage(ref(v1), 'PRODUCTION');
        // The catalog is the promotion service's to write, once the owner accepted.
        const stages = await db.modelVersion.findMany({
          where: { modelId: model.id },
          orderBy: { version: 'asc' },
          select: { stage: true },
        });
        expect(stages).toEqual([{ stage: 'NONE' }, { stage: 'NONE' }]);
        await db.modelVersion.update({ where: { id: v1.id }, data: { stage: 'PRODUCTION' } });
        // Read back from the owner, as reconciliation does.
        expect(await provider.stageOf(ref(v1))).toBe('PRODUCTION');
        expect(await provider.stageOf(ref(v2))).toBe(v2Before);
      } finally {
        await close();
      }
    });

    it('throws NOT_FOUND for a version the owner does not know, changing nothing', async () => {
      const { provider, db, close } = await setup();
      try {
        const before = await db.modelVersion.count();
        const ghost = {
          id: `modelVersion:${provider.providerName}:ghost/1`,
          nativeId: 'ghost/1',
          modelName: 'ghost',
          version: 1,
        };
        const error = await provider.transitionStage(ghost, 'STAGING').catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'NOT_FOUND' });
        expect(await provider.stageOf(ghost)).toBeNull();
        expect(await db.modelVersion.count()).toBe(before);
      } finally {
        await close();
      }
    });
  });
}
