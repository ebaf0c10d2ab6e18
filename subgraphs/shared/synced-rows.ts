/**
 * How a repository writes rows that a sync pulled from their owner: rows new to the catalog go in
 * with one INSERT per table; rows it already has (changed, or back after being removed) are
 * updated one by one. On a first sync nearly everything is new, so a page costs a few statements
 * whatever its size.
 */
export async function insertOrUpdate<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  existing: (ids: string[]) => Promise<{ id: string }[]>,
  insert: (items: T[]) => Promise<unknown>,
  update: (item: T) => Promise<unknown>,
): Promise<void> {
  if (!items.length) return;
  const present = new Set((await existing(items.map(idOf))).map((row) => row.id));
  const fresh = items.filter((item) => !present.has(idOf(item)));
  if (fresh.length) await insert(fresh);
  for (const item of items) if (present.has(idOf(item))) await update(item);
}

/**
 * The fields every synced row carries: when a sync last saw it, and when its owner stopped having
 * it. Rows are never deleted (promotions, audit events and lineage history point at them).
 */
export const seenAt = (now: Date) => ({ lastSeenAt: now, removedAt: null });
export const removedAt = (now: Date) => ({ removedAt: now });

/** One write of a synced asset: its native ID at the owner and its record. */
export interface SyncedRow<R> {
  nativeId: string;
  record: R;
}
