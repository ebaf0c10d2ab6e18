import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient, type Prisma } from '../prisma/generated/client.ts';
import { log, redact } from './log.ts';
import { AbandonedRequestError, currentRequestScope } from './request-scope.ts';

export type Database = PrismaClient;
export type Transaction = Prisma.TransactionClient;

/** Most connections a Cairn process holds to a PostgreSQL server. */
const POOL_SIZE = 10;

export interface DatabaseServer {
  /** Connection string for Prisma, the migration runner and the job queue. */
  url: string;
  /** 'postgres' when DATABASE_URL was given, 'pglite' for the embedded default. */
  kind: 'postgres' | 'pglite';
  /**
   * Connections one client may open. PGlite is a single session: its socket server queues the
   * protocol messages of all connections one by one, so two connections' extended-query messages
   * (Parse/Bind/Execute) interleave and corrupt each other; a client must keep to one connection.
   */
  poolSize: number;
  close(): Promise<void>;
}

/**
 * With a DATABASE_URL, uses that server. Without one, starts PGlite (Postgres compiled to WASM) with
 * its data under `<dataDir>/pgdata` and serves it on a loopback port, so Prisma and every other
 * Postgres client talk to it over the ordinary wire protocol.
 */
export async function startDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<DatabaseServer> {
  if (options.databaseUrl) {
    log.info({ database: redact(options.databaseUrl) }, 'database: PostgreSQL from DATABASE_URL');
    return { url: options.databaseUrl, kind: 'postgres', poolSize: POOL_SIZE, close: async () => {} };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const dir = join(options.dataDir, 'pgdata');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  // Other processes on this database (a subgraph served alone, in tests) hold two pools each: one for
  // queries, one for the rest (see RequestAwarePool).
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  log.info(
    { dataDir: dir, address: server.getServerConn() },
    'database: embedded PGlite (set DATABASE_URL to use PostgreSQL)',
  );
  return {
    url,
    kind: 'pglite',
    poolSize: 1,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

export interface DatabaseClients {
  /** The typed catalog client. */
  db: Database;
  /** The connection pool under it, shared with the job queue (one connection on PGlite). */
  pool: pg.Pool;
  close(): Promise<void>;
}

type Checkout = (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * The process's pool, which tells a query's statements from the rest. A query's statements take
 * connections bound by `statement_timeout` (its own pool, on PostgreSQL) and, once nobody waits for
 * the query's answer, are refused before they reach the database, so abandoned work stops instead of
 * piling up. Mutations, background jobs and start-up use connections without that bound: a write or
 * a long materialization is never cut halfway. (Migrations have their own connection.)
 */
class RequestAwarePool extends pg.Pool {
  constructor(
    config: pg.PoolConfig,
    /** Connections for queries; null on PGlite, whose one session serves everything. */
    private readonly forQueries: pg.Pool | null,
  ) {
    super(config);
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: Checkout): void;
  override connect(callback?: Checkout): Promise<pg.PoolClient> | void {
    const scope = currentRequestScope();
    if (!scope?.cuttable) return callback ? super.connect(callback) : super.connect();
    const checkout = (async () => {
      if (scope.signal.aborted) throw new AbandonedRequestError();
      const client = await (this.forQueries ? this.forQueries.connect() : super.connect());
      // It may have waited for a free connection past the request's end.
      if (scope.signal.aborted) {
        client.release();
        throw new AbandonedRequestError();
      }
      return client;
    })();
    if (!callback) return checkout;
    checkout.then(
      (client) => callback(undefined, client, (release) => client.release(release as Error | undefined)),
      (error: Error) => callback(error, undefined, () => {}),
    );
  }

  override async end(): Promise<void> {
    await Promise.all([super.end(), this.forQueries?.end()]);
  }
}

/**
 * Connects Prisma over one node-postgres pool that every other client of the process shares.
 * `statementTimeoutMs` bounds each statement of a GraphQL query (PostgreSQL only).
 */
export function connectDatabase(
  server: Pick<DatabaseServer, 'url' | 'poolSize'>,
  options: { statementTimeoutMs?: number } = {},
): DatabaseClients {
  const config = { connectionString: server.url, max: server.poolSize };
  const forQueries =
    server.poolSize > 1 && options.statementTimeoutMs
      ? new pg.Pool({ ...config, statement_timeout: options.statementTimeoutMs })
      : null;
  const pool = new RequestAwarePool(config, forQueries);
  for (const each of [pool, forQueries])
    each?.on('error', (error) => log.warn({ err: error }, 'idle database connection failed'));
  const db = new PrismaClient({ adapter: new PrismaPg(pool) });
  return {
    db,
    pool,
    close: async () => {
      await db.$disconnect();
      await pool.end();
    },
  };
}
