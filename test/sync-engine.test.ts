import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogRecords, CatalogSource, Listed, SyncCollection } from '../adapters/core/catalog-source.ts';
import { UpstreamUnavailableError } from '../platform/errors.ts';
import { SyncService } from '../sync/engine.ts';
import { startTestCairn, type TestCairn } from './testkit.ts';

/**
 * The sync engine with a cloud of its own (no SageMaker): what any adapter gets for supplying
 * listings and records. Models are listed in pages of two; `failOnPage` makes a page's describe fail.
 */
class FakeCloud implements CatalogSource {
  readonly providerName = 'fake-cloud';
  models = new Map<string, { description: string; version: number }>();
  failOnPage: number | null = null;
  describes = 0;

  collections(): SyncCollection[] {
    const models = [...this.models];
    const collection: SyncCollection<'model'> = {
      kind: 'model',
      pages: async function* () {
        for (let i = 0; i < models.length; i += 2)
          yield models.slice(i, i + 2).map(([name, m]) => ({ nativeId: name, changeToken: `v${m.version}` }));
      },
      describe: async (items: Listed<CatalogRecords['model']>[]) => {
        this.describes += items.length;
        const page = Math.floor(models.findIndex(([name]) => name === items[0]!.nativeId) / 2) + 1;
        if (page === this.failOnPage)
          throw new UpstreamUnavailableError(this.providerName, 'ListModels failed: ServiceUnavailable');
        return items.map((item) => ({
          name: item.nativeId,
          description: this.models.get(item.nativeId)!.description,
          tags: [],
        }));
      },
    };
    return [collection as unknown as SyncCollection];
  }
}

let cairn: TestCairn;
let cloud: FakeCloud;
let sync: SyncService;

async function run() {
  const created = await cairn.db.syncRun.create({ data: { providerName: 'fake-cloud', trigger: 'REQUEST' } });
  await sync.execute(created.id);
  return cairn.db.syncRun.findUniqueOrThrow({ where: { id: created.id } });
}

beforeAll(async () => {
  cairn = await startTestCairn();
  await cairn.db.provider.create({ data: { name: 'fake-cloud', kind: 'SAGEMAKER' } });
  cloud = new FakeCloud();
  sync = new SyncService(cairn.db, cairn.jobs, new Map([['fake-cloud', cloud]]), {
    clock: () => new Date(),
    intervals: new Map(),
  });
});

afterAll(async () => {
  await cairn?.close();
});

describe('the sync engine', () => {
  it('commits page by page: a failing page leaves earlier pages whole, later ones unwritten, and removes nothing', async () => {
    for (const name of ['a', 'b', 'c', 'd', 'e']) cloud.models.set(name, { description: `${name} v1`, version: 1 });
    expect(await run()).toMatchObject({ status: 'SUCCEEDED', created: 5, pages: 3 });

    for (const name of ['a', 'c', 'e']) cloud.models.set(name, { description: `${name} v2`, version: 2 });
    cloud.models.delete('b');
    cloud.failOnPage = 2; // a, c | d, e | (b is gone)
    const failed = await run();
    expect(failed).toMatchObject({ status: 'FAILED', updated: 2, deleted: 0, pages: 1 });
    expect(failed.error).toMatch(/fake-cloud: ListModels failed/);
    const rows = await cairn.db.registeredModel.findMany({
      where: { providerName: 'fake-cloud' },
      orderBy: { name: 'asc' },
    });
    expect(rows.map((r) => [r.name, r.description, r.removedAt === null])).toEqual([
      ['a', 'a v2', true],
      ['b', 'b v1', true],
      ['c', 'c v2', true],
      ['d', 'd v1', true],
      ['e', 'e v1', true],
    ]);
    expect(await cairn.db.provider.findUnique({ where: { name: 'fake-cloud' } })).toMatchObject({
      status: 'UNAVAILABLE',
      syncRunId: null,
    });

    cloud.failOnPage = null;
    cloud.describes = 0;
    const resumed = await run();
    // a and c were committed with their new tokens: only e is described again.
    expect(resumed).toMatchObject({ status: 'SUCCEEDED', created: 0, updated: 1, deleted: 1, unchanged: 3 });
    expect(cloud.describes).toBe(1);
    const b = await cairn.db.registeredModel.findUnique({ where: { id: 'model:fake-cloud:b' } });
    expect(b?.removedAt).not.toBeNull();
  });

  it('revives an asset that comes back, under the same ID', async () => {
    cloud.models.set('b', { description: 'b again', version: 3 });
    expect(await run()).toMatchObject({ status: 'SUCCEEDED', created: 1 });
    expect(await cairn.db.registeredModel.findUnique({ where: { id: 'model:fake-cloud:b' } })).toMatchObject({
      description: 'b again',
      removedAt: null,
    });
  });
});
