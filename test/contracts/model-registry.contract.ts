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
    s.createVersion ? s.createVersion(modelName, version) : s.db.$transaction(async (tx) => (await s.provider.registerVersion(tx, modelName, version)).nativeId);

  describe(`ModelRegistryProvider contract: ${name}`, () => {
    it('answers distinct native IDs for successive versions of a model', async () => {
      const s = await setup();
      try {
        const ids = [await create(s, 'contract-a', 1), await create(s, 'contract-a', 2), await create(s, 'contract-b', 1)];
        expect(new Set(ids).size).toBe(3);
      } finally {
        await s.close();
      }
    });

    it('answers NOT_SUPPORTED to a registration when versions arrive from the owner', async (context) => {
      const s = await setup();
      try {
        if (!s.createVersion) return context.skip();
        const error = await s.db.$transaction((tx) => s.provider.registerVersion(tx, 'contract-d', 1)).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'NOT_SUPPORTED' });
      } finally {
        await s.close();
      }
    });

    it('moves a version to a stage, and only that version', async () => {
      const s = await setup();
      const { provider, db, close } = s;
      try {
        const model = await db.registeredModel.create({ data: { id: `model:${provider.providerName}:contract-c`, providerName: provider.providerName, name: 'contract-c', nativeId: 'contract-c' } });
        const versions = [];
        for (const version of [1, 2]) {
          const nativeId = await create(s, 'contract-c', version);
          versions.push(await db.modelVersion.create({ data: { id: `modelVersion:${provider.providerName}:${nativeId}`, modelId: model.id, version, nativeId } }));
        }
        const [v1, v2] = versions as [(typeof versions)[0], (typeof versions)[0]];
        await db.$transaction((tx) => provider.transitionStage(tx, { id: v1.id, nativeId: v1.nativeId, modelName: 'contract-c', version: 1 }, 'PRODUCTION'));
        const stages = await db.modelVersion.findMany({ where: { modelId: model.id }, orderBy: { version: 'asc' }, select: { stage: true } });
        expect(stages).toEqual([{ stage: 'PRODUCTION' }, { stage: 'NONE' }]);
        expect(v2.stage).toBe('NONE');
      } finally {
        await close();
      }
    });

    it('throws NOT_FOUND for a version the owner does not know, changing nothing', async () => {
      const { provider, db, close } = await setup();
      try {
        const before = await db.modelVersion.count();
        const error = await db
          .$transaction((tx) => provider.transitionStage(tx, { id: `modelVersion:${provider.providerName}:ghost/1`, nativeId: 'ghost/1', modelName: 'ghost', version: 1 }, 'STAGING'))
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'NOT_FOUND' });
        expect(await db.modelVersion.count()).toBe(before);
      } finally {
        await close();
      }
    });
  });
}
