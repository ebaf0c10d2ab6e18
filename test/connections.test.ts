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
