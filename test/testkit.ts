import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isIP, Socket } from 'node:net';
import pg from 'pg';
import { expect } from 'vitest';
import { parseConfig, type CairnConfig } from '../server/config.ts';
import { startCairn, type Cairn, type StartOptions } from '../server/runtime.ts';
import { verifyAuditChain } from '../platform/audit.ts';

export interface GraphQLAnswer<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export async function graphql<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLAnswer<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

/** A database for one test file: a fresh database on DATABASE_URL's server, or PGlite in a temp dir. */
export async function scratchDatabase(): Promise<{ url?: string; dataDir: string; drop(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cairn-test-'));
  const removeDir = () => rm(dataDir, { recursive: true, force: true });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return { dataDir, drop: removeDir };
  const name = `cairn_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await removeDir();
    },
  };
}

export interface TestCairn extends Cairn {
  config: CairnConfig;
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>>;
  /** The answer's data; the test fails (naming the errors) when the answer has errors. */
  data<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** Stops this process and starts another on the same database (what a restart or a deploy does). */
  restart(): Promise<TestCairn>;
}

export interface TestCairnOptions extends Omit<StartOptions, 'only'> {
  /** The test breaks the audit chain on purpose and leaves it broken: close() does not check it. */
  auditChainBroken?: boolean;
}

/**
 * A whole Cairn on a free port, on the real services when DATABASE_URL / REDIS_URL are set and on
 * the embedded parts otherwise. Each call gets its own database and its own Redis key prefix.
 */
export async function startTestCairn(
  env: Record<string, string> = {},
  testOptions: TestCairnOptions = {},
): Promise<TestCairn> {
  const { auditChainBroken, ...options } = testOptions;
  const database = await scratchDatabase();
  const config = parseConfig({
    PORT: '0',
    CAIRN_DEMO: 'off',
    LOG_LEVEL: 'warn',
    CAIRN_DATA_DIR: database.dataDir,
    CAIRN_REDIS_PREFIX: `cairn-test:${randomBytes(4).toString('hex')}`,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  });
  const wrap = (cairn: Cairn): TestCairn => ({
    ...cairn,
    config,
    query: (query, variables) => graphql(cairn.url, query, variables),
    data: async (query, variables) => {
      const answer = await graphql(cairn.url, query, variables);
      expect(answer.errors, query).toBeUndefined();
      return answer.data!;
    },
    restart: async () => {
      await cairn.close();
      return wrap(await startCairn(config, options));
    },
    // Whatever the tests did, the audit chain must still verify: a mutation that breaks it fails CI.
    close: async () => {
      let broken: string | null = null;
      try {
        const { firstBroken } = auditChainBroken ? { firstBroken: null } : await verifyAuditChain(cairn.db);
        if (firstBroken) {
          const event = await cairn.db.auditEvent.findUnique({
            where: { id: firstBroken.id },
            select: { action: true, subjectId: true },
          });
          broken = `the audit chain is broken at event ${firstBroken.id} (${event?.action} of ${event?.subjectId}): ${firstBroken.reason}`;
        }
      } finally {
        await cairn.close();
        await database.drop();
      }
      if (broken) throw new Error(broken);
    },
  });
  return wrap(await startCairn(config, options));
}

export const FEATURE_VIEW_INPUT = {
  name: 'driver_stats',
  entity: 'driver',
  joinKey: 'driver_id',
  ttlSeconds: 3600,
  owner: 'ml-platform',
  features: [
    { name: 'trips_today', dtype: 'INT64' },
    { name: 'avg_rating', dtype: 'FLOAT64' },
  ],
};

/**
 * SQL statements a piece of work sends (every pg client of this process), leaving out the job
 * queue's own polling. The fewest of `runs` tries, as a poll can still land inside one.
 */
export async function countStatements(run: () => Promise<unknown>, runs = 3): Promise<number> {
  const counts: number[] = [];
  const original = pg.Client.prototype.query;
  for (let i = 0; i < runs; i++) {
    let count = 0;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      if (!/cairn_jobs\./.test(typeof first === 'string' ? first : (first?.text ?? ''))) count++;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original;
    try {
      await run();
    } finally {
      pg.Client.prototype.query = original;
    }
    counts.push(count);
  }
  return Math.min(...counts);
}

/** Rejects when `promise` takes longer than `ms`, naming `what` (a request stuck behind a held owner call would wait for its release). */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms)),
  ]);
}

/** Polls `read` until it answers something other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  read: () => Promise<T | undefined>,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'a condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Runs the `cairn` command as a user would; answers its exit code and output. */
export async function cairnCli(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['cli/cairn.mjs', ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Hosts a test may connect to: the loopback addresses (the local services and Cairn's own servers). */
function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}

/**
 * Refuses every TCP connection this process would open off loopback (http, fetch/undici, pg, redis all
 * pass through Socket.prototype.connect), before a packet is sent, and remembers the host asked for.
 * `attempts` lists them; `restore()` puts the real connect back.
 */
export function refuseConnectionsOffLoopback(): { attempts: string[]; restore(): void } {
  const attempts: string[] = [];
  const original = Socket.prototype.connect;
  Socket.prototype.connect = function (this: Socket, ...args: any[]) {
    // Node's own callers (http, net.connect) pass their normalized arguments as one array.
    const first = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (typeof first === 'object' && first?.path && !first.host) return original.apply(this, args as never);
    const host =
      typeof first === 'object' && first !== null
        ? (first.host ?? 'localhost')
        : typeof args[1] === 'string'
          ? args[1]
          : 'localhost';
    if (!isLoopbackHost(String(host))) {
      attempts.push(String(host));
      this.destroy(new Error(`test refused a connection to ${host}`));
      return this;
    }
    return original.apply(this, args as never);
  } as typeof original;
  return { attempts, restore: () => (Socket.prototype.connect = original) };
}
