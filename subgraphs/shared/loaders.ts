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
