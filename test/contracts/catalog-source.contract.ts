import { describe, expect, it } from 'vitest';
import type { Database } from '../../platform/database.ts';
import type { JobQueue } from '../../platform/jobs.ts';
import { globalId } from '../../platform/ids.ts';
import type { Stage } from '../../adapters/core/domain.ts';
import type { CatalogSource, Listed, SyncCollection, SyncedKind } from '../../adapters/core/catalog-source.ts';
import { SyncService } from '../../sync/engine.ts';

export interface CatalogSourceContractSetup {
  /** The provider instance under test; its provider row exists in `db`, with nothing synced yet. */
  providerName: string;
  /** Cairn's catalog and job queue, for the sync engine. */
  db: Database;
  jobs: JobQueue;
  /** A source over the owner's (empty) account that lists and hands over pages of at most `pageSize` assets. */
  source(options: { pageSize: number }): CatalogSource;
  /** Creates `count` new versions of model `model` at the owner, the way its own tooling would; answers their native IDs. */
  createVersions(model: string, count: number): Promise<string[]>;
  /** Moves a version to `stage` at the owner, the way a promotion in the cloud's own console would. */
  setStage(nativeId: string, stage: Stage): Promise<void>;
  /** Deletes a version at the owner. */
  deleteVersion(nativeId: string): Promise<void>;
  /** From now on every call to the owner is throttled, beyond the SDK's retries (`false`: the owner answers again). */
  throttle(on: boolean): void;
  close(): Promise<void>;
}

const PAGE = 3;

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const all: T[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

function collection<K extends SyncedKind>(source: CatalogSource, kind: K): SyncCollection<K> {
  const found = source.collections().find((c) => c.kind === kind);
  if (!found) throw new Error(`the source has no ${kind} collection`);
  return found as unknown as SyncCollection<K>;
}

/** The source with the number of assets each collection was asked to describe, by kind. */
function counting(source: CatalogSource) {
  const described: Partial<Record<SyncedKind, number>> = {};
  const counted: CatalogSource = {
    providerName: source.providerName,
    collections: () =>
      source.collections().map((c) => ({
        kind: c.kind,
        pages: () => c.pages(),
        describe: (items: Listed<never>[]) => {
          described[c.kind] = (described[c.kind] ?? 0) + items.length;
          return c.describe(items);
        },
      })),
  };
  return { source: counted, described };
}

type KindCounts = { listed: number; created: number; updated: number; deleted: number; unchanged: number };

/** One sync of `source` by the engine, to its end; answers the run with its per-kind counts. */
async function sync(s: CatalogSourceContractSetup, source: CatalogSource) {
  const engine = new SyncService(s.db, s.jobs, new Map([[s.providerName, source]]), {
    clock: () => new Date(),
    intervals: new Map(),
  });
  const { id } = await s.db.syncRun.create({ data: { providerName: s.providerName, trigger: 'REQUEST' } });
  await engine.execute(id);
  const run = await s.db.syncRun.findUniqueOrThrow({ where: { id } });
  return { ...run, versions: (run.progress as Record<string, KindCounts> | null)?.modelVersion };
}

/**
 * What every CatalogSource (a cloud adapter's listing of its assets) must do for the sync engine,
 * shown on model versions, the asset every cloud has: paged listings that reach every asset once,
 * change tokens that move with the asset and only then (so a second sync describes nothing), records
 * in the listing's order, deletions, and an owner's throttling answered as UPSTREAM_UNAVAILABLE.
 * `setup` gives a fresh owner account and a provider with nothing synced.
 */
export function catalogSourceContract(name: string, setup: () => Promise<CatalogSourceContractSetup>) {
  describe(`CatalogSource contract: ${name}`, () => {
    it("lists every asset exactly once, following the owner's paging, in pages no larger than asked", async () => {
      const s = await setup();
      try {
        const created = [
          ...(await s.createVersions('contract-paging-a', 7)),
          ...(await s.createVersions('contract-paging-b', 3)),
        ];
        const pages = await collect(collection(s.source({ pageSize: PAGE }), 'modelVersion').pages());
        expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(created.length / PAGE));
        for (const page of pages) expect(page.length).toBeGreaterThan(0);
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(PAGE);
        const listed = pages.flat().map((item) => item.nativeId);
        expect(listed).toHaveLength(created.length);
        expect([...listed].sort()).toEqual([...created].sort());
        const models = (await collect(collection(s.source({ pageSize: PAGE }), 'model').pages())).flat();
        expect(models).toHaveLength(2);
      } finally {
        await s.close();
      }
    });

    it('describes listed assets into records in the same order, and answers null for one gone since the listing', async () => {
      const s = await setup();
      try {
        const created = await s.createVersions('contract-describe', 4);
        const versions = collection(s.source({ pageSize: PAGE }), 'modelVersion');
        const listed = (await collect(versions.pages())).flat();
        const byId = new Map(listed.map((item) => [item.nativeId, item]));
        const order = [created[2]!, created[0]!, created[3]!].map((id) => byId.get(id)!);
        const records = await versions.describe(order);
        expect(records.map((r) => r?.version)).toEqual([3, 1, 4]);
        const [model] = (await collect(collection(s.source({ pageSize: PAGE }), 'model').pages())).flat();
        expect(new Set(records.map((r) => r?.modelNativeId))).toEqual(new Set([model!.nativeId]));

        await s.deleteVersion(created[0]!);
        const again = await versions.describe([byId.get(created[0]!)!, byId.get(created[1]!)!]);
        expect(again[0]).toBeNull();
        expect(again[1]).toMatchObject({ version: 2 });
      } finally {
        await s.close();
      }
    });

    it('gives an unchanged asset the same change token at every listing, and a changed one a new token', async () => {
      const s = await setup();
      try {
        const created = await s.createVersions('contract-tokens', 3);
        const tokens = async () =>
          new Map(
            (await collect(collection(s.source({ pageSize: PAGE }), 'modelVersion').pages()))
              .flat()
              .map((item) => [item.nativeId, item.changeToken]),
          );
        const first = await tokens();
        for (const token of first.values()) expect(token).toEqual(expect.any(String));
        expect(await tokens()).toEqual(first);
        await s.setStage(created[1]!, 'PRODUCTION');
        const after = await tokens();
        expect(after.get(created[1]!)).not.toEqual(first.get(created[1]!));
        expect(after.get(created[0]!)).toEqual(first.get(created[0]!));
        expect(after.get(created[2]!)).toEqual(first.get(created[2]!));
      } finally {
        await s.close();
      }
    });

    it('skips unchanged assets: a second sync describes and writes nothing; a change at the owner is described and written alone', async () => {
      const s = await setup();
      try {
        const created = await s.createVersions('contract-incremental', 5);
        const first = await sync(s, s.source({ pageSize: PAGE }));
        expect(first).toMatchObject({ status: 'SUCCEEDED', versions: { listed: 5, created: 5 } });
        expect(first.pages).toBeGreaterThanOrEqual(2);

        const second = counting(s.source({ pageSize: PAGE }));
        expect(await sync(s, second.source)).toMatchObject({
          status: 'SUCCEEDED',
          created: 0,
          updated: 0,
          deleted: 0,
          versions: { listed: 5, unchanged: 5 },
        });
        expect(second.described.modelVersion ?? 0).toBe(0);

        await s.setStage(created[3]!, 'PRODUCTION');
        const third = counting(s.source({ pageSize: PAGE }));
        expect(await sync(s, third.source)).toMatchObject({
          status: 'SUCCEEDED',
          versions: { updated: 1, unchanged: 4, created: 0 },
        });
        expect(third.described.modelVersion).toBe(1);
        const row = await s.db.modelVersion.findUniqueOrThrow({
          where: { id: globalId('modelVersion', s.providerName, created[3]!) },
        });
        expect(row.stage).toBe('PRODUCTION');
      } finally {
        await s.close();
      }
    });

    it('notices deletions after a complete sync: the row stays under its ID, marked removed', async () => {
      const s = await setup();
      try {
        const created = await s.createVersions('contract-deletions', 4);
        expect(await sync(s, s.source({ pageSize: PAGE }))).toMatchObject({
          status: 'SUCCEEDED',
          versions: { created: 4 },
        });
        await s.deleteVersion(created[1]!);
        expect(await sync(s, s.source({ pageSize: PAGE }))).toMatchObject({
          status: 'SUCCEEDED',
          versions: { deleted: 1, unchanged: 3 },
        });
        const rows = await s.db.modelVersion.findMany({
          where: { id: { in: created.map((id) => globalId('modelVersion', s.providerName, id)) } },
          orderBy: { version: 'asc' },
        });
        expect(rows.map((r) => [r.version, r.removedAt !== null])).toEqual([
          [1, false],
          [2, true],
          [3, false],
          [4, false],
        ]);
      } finally {
        await s.close();
      }
    });

    it('answers an owner that keeps throttling with UPSTREAM_UNAVAILABLE naming the provider; the sync fails and removes nothing', async () => {
      const s = await setup();
      try {
        await s.createVersions('contract-throttled', 2);
        expect(await sync(s, s.source({ pageSize: PAGE }))).toMatchObject({
          status: 'SUCCEEDED',
          versions: { created: 2 },
        });
        const versions = collection(s.source({ pageSize: PAGE }), 'modelVersion');
        const listed = (await collect(versions.pages())).flat();

        s.throttle(true);
        const upstream = { code: 'UPSTREAM_UNAVAILABLE', details: { provider: s.providerName } };
        await expect(collect(versions.pages())).rejects.toMatchObject(upstream);
        await expect(versions.describe(listed)).rejects.toMatchObject(upstream);
        const failed = await sync(s, s.source({ pageSize: PAGE }));
        expect(failed).toMatchObject({ status: 'FAILED', deleted: 0 });
        expect(failed.error).toContain(s.providerName);
        expect(await s.db.provider.findUniqueOrThrow({ where: { name: s.providerName } })).toMatchObject({
          status: 'UNAVAILABLE',
        });
        expect(
          await s.db.modelVersion.count({
            where: { model: { providerName: s.providerName }, removedAt: { not: null } },
          }),
        ).toBe(0);

        s.throttle(false);
        expect(await sync(s, s.source({ pageSize: PAGE }))).toMatchObject({
          status: 'SUCCEEDED',
          deleted: 0,
          versions: { unchanged: 2 },
        });
        expect(await s.db.provider.findUniqueOrThrow({ where: { name: s.providerName } })).toMatchObject({
          status: 'OK',
        });
      } finally {
        await s.close();
      }
    });
  });
}
