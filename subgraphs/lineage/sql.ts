import type pg from 'pg';

/**
 * Runs one read-only statement with the JIT compiler off, in a transaction of its own. The planner
 * cannot estimate a recursive walk's size, so over a large edge table it prices a walk of a few
 * thousand rows above `jit_above_cost` and spends 100-600 ms compiling it (measured in the lineage
 * bench) for a statement that runs in a few milliseconds. `SET LOCAL` keeps the setting to this
 * transaction; the pooled connection goes back unchanged. Three round trips, whatever the graph.
 */
export async function queryWithoutJit(pool: pg.Pool, text: string, values: unknown[]): Promise<pg.QueryResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN READ ONLY; SET LOCAL jit = off');
    const result = await client.query(text, values);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The edge `alias` was valid at the instant `param` (a timestamptz parameter); the columns are UTC `timestamp`s. */
export const validAt = (alias: string, param: string) =>
  `${alias}.valid_from <= (${param}::timestamptz AT TIME ZONE 'UTC') AND (${alias}.valid_to IS NULL OR ${alias}.valid_to > (${param}::timestamptz AT TIME ZONE 'UTC'))`;
