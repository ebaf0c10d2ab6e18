import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, type TestCairn } from './testkit.ts';

const MODELS = `query($filter: ModelFilter, $first: Int!, $after: String) {
  models(filter: $filter, first: $first, after: $after) {
    totalCount edges { cursor node { id name } } nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

describe('connections (models)', () => {
  let cairn: TestCairn;
  beforeAll(async () => {
    cairn = await startTestCairn();
    for (const name of ['conn-a', 'conn-b', 'conn-c', 'conn-d', 'conn-e', 'conn-f', 'conn-g', 'other-x'])
      await cairn.data(`mutation($m: String!) { registerModelVersion(input: { model: $m }) { id } }`, { m: name });
  });
  afterAll(() => cairn?.close());

  it('pages through every match with first/after, each exactly once, in order', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { models }: { models: any } = await cairn.data(MODELS, {
        filter: { namePrefix: 'conn-' },
        first: 3,
        after,
      });
      expect(models.totalCount).toBe(7);
      expect(models.nodes.map((n: { name: string }) => n.name)).toEqual(
        models.edges.map((e: { node: { name: string } }) => e.node.name),
      );
      expect(models.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(models.pageInfo.startCursor).toBe(models.edges[0].cursor);
      expect(models.pageInfo.endCursor).toBe(models.edges.at(-1).cursor);
      seen.push(...models.nodes.map((n: { name: string }) => n.name));
      pages++;
      if (!models.pageInfo.hasNextPage) break;
      after = models.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['conn-a', 'conn-b', 'conn-c', 'conn-d', 'conn-e', 'conn-f', 'conn-g']);
  });

  it('refuses a malformed cursor and a page larger than the maximum with BAD_USER_INPUT', async () => {
    const malformed = await cairn.query(MODELS, { first: 3, after: 'not-a-cursor' });
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(malformed.errors?.[0]?.extensions?.problems).toEqual([
      { path: 'after', message: 'is not a cursor this list gave' },
    ]);
    const tooMany = await cairn.query(MODELS, { first: 501 });
    expect(tooMany.errors?.[0]?.extensions?.problems).toEqual([
      { path: 'first', message: 'must be between 1 and 500' },
    ]);
  });
});

const FEATURES = `query($filter: FeatureFilter, $first: Int!, $after: String) {
  features(filter: $filter, first: $first, after: $after) { totalCount nodes { id name } pageInfo { hasNextPage endCursor } } }`;

describe('connections (features)', () => {
  let cairn: TestCairn;
  beforeAll(async () => {
    cairn = await startTestCairn();
    const APPLY = 'mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { version } }';
    const view = (names: string[]) => ({
      name: 'conn_view',
      entity: 'driver',
      joinKey: 'driver_id',
      owner: 'ml',
      features: names.map((name) => ({ name, dtype: 'FLOAT64' })),
    });
    expect((await cairn.data(APPLY, { input: view(['f_a', 'f_b']) })).applyFeatureView.version).toBe(1);
    expect((await cairn.data(APPLY, { input: view(['f_a', 'f_b', 'f_c']) })).applyFeatureView.version).toBe(2);
  });
  afterAll(() => cairn?.close());

  it("lists the latest view's features (every version's with allVersions), paged each exactly once", async () => {
    const latest = (await cairn.data(FEATURES, { filter: { featureView: 'conn_view' }, first: 10 })).features;
    expect(latest.totalCount).toBe(3);
    expect(latest.nodes.map((n: { name: string }) => n.name).sort()).toEqual(['f_a', 'f_b', 'f_c']);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { features }: { features: any } = await cairn.data(FEATURES, {
        filter: { featureView: 'conn_view', allVersions: true },
        first: 2,
        after,
      });
      expect(features.totalCount).toBe(5);
      seen.push(...features.nodes.map((n: { id: string }) => n.id));
      if (!features.pageInfo.hasNextPage) break;
      after = features.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect([...seen].sort()).toEqual(seen);
    const prefixed = (await cairn.data(FEATURES, { filter: { namePrefix: 'f_c' }, first: 10 })).features;
    expect(prefixed.nodes.map((n: { name: string }) => n.name)).toEqual(['f_c']);
  });
});
