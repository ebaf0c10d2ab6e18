import DataLoader from 'dataloader';

/**
 * A DataLoader whose batch is one query for all keys, re-ordered to the keys; a key with no row
 * answers null.
 */
export function loaderByKey<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  keyOf: (row: V) => K,
): DataLoader<K, V | null> {
  return new DataLoader(async (keys) => {
    const rows = new Map((await fetch(keys)).map((row) => [keyOf(row), row] as const));
    return keys.map((key) => rows.get(key) ?? null);
  });
}

/** A DataLoader for one-to-many edges: one query for all parents, rows grouped by parent key. */
export function loaderOfLists<K extends string, V>(
  fetch: (keys: readonly K[]) => Promise<V[]>,
  parentOf: (row: V) => K,
): DataLoader<K, V[]> {
  return new DataLoader(async (keys) => {
    const groups = new Map<K, V[]>(keys.map((key) => [key, []]));
    for (const row of await fetch(keys)) groups.get(parentOf(row))?.push(row);
    return keys.map((key) => groups.get(key) ?? []);
  });
}

/** One parent's page of a nested connection: its rows (up to the page size + 1) and its whole list's count. */
export interface ParentPage<V> {
  rows: V[];
  total: number;
}

/**
 * A DataLoader for nested connections (a page of each parent's list): the parents asked for with
 * the same page arguments share one `fetch` and one `count` for all of them, so a page of parents
 * each with its own page costs the same queries as one parent. `page` must be JSON-serializable.
 */
export function loaderOfPages<P, V>(
  fetch: (parentIds: string[], page: P) => Promise<V[]>,
  parentOf: (row: V) => string,
  count: (parentIds: string[], page: P) => Promise<Map<string, number>>,
): DataLoader<{ parentId: string; page: P }, ParentPage<V>, string> {
  return new DataLoader(
    async (keys) => {
      const byPage = new Map<string, { page: P; parentIds: string[] }>();
      for (const { parentId, page } of keys) {
        const group = byPage.get(JSON.stringify(page)) ?? { page, parentIds: [] };
        group.parentIds.push(parentId);
        byPage.set(JSON.stringify(page), group);
      }
      const answers = new Map<string, ParentPage<V>>();
      await Promise.all(
        [...byPage.entries()].map(async ([pageKey, { page, parentIds }]) => {
          const [rows, totals] = await Promise.all([fetch(parentIds, page), count(parentIds, page)]);
          for (const parentId of parentIds)
            answers.set(JSON.stringify([parentId, pageKey]), { rows: [], total: totals.get(parentId) ?? 0 });
          for (const row of rows) answers.get(JSON.stringify([parentOf(row), pageKey]))?.rows.push(row);
        }),
      );
      return keys.map(({ parentId, page }) => answers.get(JSON.stringify([parentId, JSON.stringify(page)]))!);
    },
    { cacheKeyFn: ({ parentId, page }) => JSON.stringify([parentId, JSON.stringify(page)]) },
  );
}
