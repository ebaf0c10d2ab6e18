/**
 * The driver adapter binding: the schema engine reaches PostgreSQL through `@prisma/adapter-pg`,
 * one connection per pool, like the native engine (the advisory lock the engine takes is then held
 * by the very connection doing the work, and PGlite's socket server, one connection by default,
 * is never asked for a second one).
 *
 * Workarounds applied to @prisma/adapter-pg 7.10.1 (see `CairnPgFactory`):
 *   - `connectToShadowDb()` builds its pool as `{ ...config, database }`, but pg lets
 *     `connectionString` override `database`, so the "shadow" connection actually talks to the MAIN
 *     database (and it never closes its helper pool). We create/drop the shadow database ourselves.
 *   - result columns of the Postgres type "char" (OID 18, e.g. `pg_constraint.contype`) are
 *     rejected by the adapter ("Column type 'char' could not be deserialized"), which breaks the
 *     engine's introspection (diff, drift checks). A pg Client subclass reports them as `text`.
 *   - `executeScript()` splits the script on every ';' (breaking `;` in strings, comments,
 *     function bodies) and sends the pieces separately through the pool. We send each migration
 *     script as one simple-protocol query, like the native engine: it runs on one connection
 *     in an implicit transaction, so a failing migration leaves no half-applied statements
 *     (statements that refuse to run in a transaction block, e.g. CREATE INDEX CONCURRENTLY,
 *     fail there just as they do with `prisma migrate deploy`).
 */
import { randomUUID } from 'node:crypto';

import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter } from '@prisma/driver-adapter-utils';

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/** pg Client that reports `"char"` result columns as `text` (adapter-pg rejects OID 18). */
class CharAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const fix = (res: unknown) => {
      for (const r of Array.isArray(res) ? res : [res]) {
        for (const f of (r as pg.QueryResult | undefined)?.fields ?? []) {
          if (f.dataTypeID === PG_CHAR_OID) f.dataTypeID = PG_TEXT_OID;
        }
      }
      return res;
    };
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : fix(res));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const ret = (super.query as (...a: unknown[]) => unknown)(...args) as Promise<unknown> | undefined;
    return ret && typeof ret.then === 'function' ? ret.then(fix) : ret;
  }
}

/**
 * One connection per pool, like the native engine: the advisory lock the engine takes is then held
 * by the very connection doing the work, and PGlite's socket server (one connection by default)
 * is never asked for a second one. The engine issues its statements one at a time.
 */
function poolConfig(url: string): pg.PoolConfig {
  return { connectionString: url, max: 1, Client: CharAsTextClient as unknown as pg.PoolConfig['Client'] };
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

type PgAdapter = Awaited<ReturnType<PrismaPg['connect']>>;

/**
 * The PrismaPg factory the engine talks to, with the fixes described at the top of this file,
 * and bookkeeping so every pool it opened is closed when we are done (the engine does not
 * dispose its main connection, and that connection holds the migration advisory lock).
 */
export class CairnPgFactory extends PrismaPg {
  private readonly open = new Set<SqlDriverAdapter>();
  /** Why the last shadow database could not be provided (the engine only says "Failed to connect"). */
  shadowError: Error | undefined;

  constructor(private readonly url: string) {
    super(poolConfig(url));
  }

  override async connect(): Promise<PgAdapter> {
    return this.track(await super.connect());
  }

  override async connectToShadowDb(): Promise<PgAdapter> {
    const name = `cairn_shadow_${randomUUID().replace(/-/g, '')}`;
    try {
      await adminQuery(this.url, `CREATE DATABASE ${quoteIdent(name)}`);
    } catch (e) {
      this.shadowError = new Error(`cannot create shadow database: ${(e as Error).message}`);
      throw e;
    }
    let adapter: PgAdapter | undefined;
    const drop = async () => {
      await adminQuery(this.url, `DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    };
    try {
      adapter = await new PrismaPg(poolConfig(withDatabase(this.url, name))).connect();
      // Refuse servers that ignore the database name (PGlite's socket server serves a single
      // database): the engine would otherwise build the shadow schema in the real database.
      const res = await adapter.queryRaw({ sql: 'SELECT current_database()', args: [], argTypes: [] });
      const current = res.rows[0]?.[0];
      if (current !== name) {
        throw new Error(
          `the server did not connect to the new shadow database "${name}" (got "${String(current)}"); ` +
            'it cannot host a shadow database (PGlite socket servers serve a single database)',
        );
      }
    } catch (e) {
      await adapter?.dispose().catch(() => {});
      await drop().catch(() => {});
      this.shadowError = e instanceof Error ? e : new Error(String(e));
      throw e;
    }
    const shadow = adapter;
    const dispose = shadow.dispose.bind(shadow);
    let disposed = false;
    shadow.dispose = async () => {
      if (disposed) return;
      disposed = true;
      try {
        await dispose();
      } finally {
        await drop();
      }
    };
    return this.track(shadow);
  }

  private track(adapter: PgAdapter): PgAdapter {
    sendScriptsWhole(adapter);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      if (!this.open.delete(adapter)) return;
      await dispose();
    };
    this.open.add(adapter);
    return adapter;
  }

  /** Close every pool still open (releases the engine's advisory lock). */
  async disposeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const a of [...this.open]) await a.dispose().catch((e) => errors.push(e));
    if (errors.length) throw errors[0];
  }
}

/** Run migration scripts as a single simple-protocol query (see the header comment). */
function sendScriptsWhole(adapter: PgAdapter): void {
  const pool = adapter.underlyingDriver();
  // `onError` (protected) converts a pg error into the DriverAdapterError the engine understands, and throws.
  const onError = (adapter as unknown as { onError?: (e: unknown) => never }).onError;
  if (!(pool instanceof pg.Pool) || typeof onError !== 'function') return; // unexpected adapter shape: keep its own
  adapter.executeScript = async (script: string) => {
    try {
      await pool.query(script);
    } catch (e) {
      onError.call(adapter, e);
    }
  };
}

/** One-off statement on a dedicated connection to `url` (CREATE/DROP DATABASE). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}
