import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Transaction } from './database.ts';
import { log } from './log.ts';

/** A unit of background work as a handler sees it. */
export interface Job<T> {
  id: string;
  name: string;
  data: T;
}

export interface SendOptions {
  /** At most one queued job per key (e.g. one materialization per feature view). */
  singletonKey?: string;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  startAfter?: Date;
  /** Enqueue inside this transaction: the job exists only if the transaction commits (the outbox). */
  transaction?: Transaction;
}

/**
 * Durable background work in Postgres (pg-boss): materializations, webhook deliveries, syncs and
 * rollout steps survive restarts and are shared by every Cairn process on the same database.
 */
export interface JobQueue {
  send<T extends object>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  /** Creates the queue if it does not exist yet (sending inside a transaction needs it declared first). */
  declare(name: string): Promise<void>;
  /** Runs `handler` for each job of `name`; a handler that throws makes pg-boss retry the job. */
  work<T>(
    name: string,
    handler: (job: Job<T>) => Promise<void>,
    options?: { pollingIntervalSeconds?: number; concurrency?: number },
  ): Promise<void>;
  close(): Promise<void>;
}

/** pg-boss's SQL runs through the process's own pool (one connection on PGlite). */
function poolExecutor(pool: pg.Pool): PgBoss.Db {
  return { executeSql: (text, values) => pool.query(text, values) };
}

/** pg-boss's SQL runs inside a Prisma interactive transaction. */
function transactionExecutor(tx: Transaction): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...(values ?? [])) }),
  };
}

export async function startJobQueue(
  pool: pg.Pool,
  options: { pollingIntervalSeconds?: number } = {},
): Promise<JobQueue> {
  const boss = new PgBoss({ db: poolExecutor(pool), schema: 'cairn_jobs', supervise: true, schedule: false });
  boss.on('error', (error) => log.error({ err: error }, 'job queue error'));
  await boss.start();
  const created = new Set<string>();
  const ensureQueue = async (name: string) => {
    if (created.has(name)) return;
    if (!(await boss.getQueue(name))) await boss.createQueue(name);
    created.add(name);
  };
  // Handlers still running when the queue stops: pg-boss's graceful stop gives up after its timeout,
  // and a handler that ends later would then record its outcome on a pool already closed.
  const running = new Set<Promise<unknown>>();
  return {
    async send(name, data, sendOptions = {}) {
      if (sendOptions.transaction && !created.has(name)) {
        // Creating a queue needs the pool's connection, which the transaction may hold (PGlite has one).
        throw new Error(
          `job queue ${name} must be declared (work() or declare()) before jobs are sent inside a transaction`,
        );
      }
      await ensureQueue(name);
      return boss.send(name, data, {
        singletonKey: sendOptions.singletonKey,
        retryLimit: sendOptions.retryLimit ?? 5,
        retryDelay: sendOptions.retryDelaySeconds ?? 1,
        retryBackoff: sendOptions.retryBackoff ?? true,
        startAfter: sendOptions.startAfter,
        ...(sendOptions.transaction ? { db: transactionExecutor(sendOptions.transaction) } : {}),
      });
    },
    declare: ensureQueue,
    async work(name, handler, workOptions = {}) {
      await ensureQueue(name);
      // Each pg-boss worker takes one job at a time: `concurrency` workers run that many at once.
      for (let i = 0; i < (workOptions.concurrency ?? 1); i++) {
        await boss.work<object>(
          name,
          {
            pollingIntervalSeconds: workOptions.pollingIntervalSeconds ?? options.pollingIntervalSeconds ?? 2,
            batchSize: 1,
          },
          async ([job]) => {
            if (!job) return;
            const run = handler({ id: job.id, name: job.name, data: job.data as never });
            running.add(run);
            try {
              await run;
            } finally {
              running.delete(run);
            }
          },
        );
      }
    },
    async close() {
      await boss.stop({ graceful: true, wait: true, timeout: 5000 });
      // Past the graceful bound, still wait (bounded) for handlers in flight before the pool may close.
      if (running.size) {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise((resolve) => (timer = setTimeout(resolve, 30_000)));
        await Promise.race([Promise.allSettled([...running]), bound]);
        clearTimeout(timer);
        // pg-boss records the outcome once the handler settled, a few turns later: let it issue that
        // statement before the pool closes (a handler's FAILED outcome on a closed pool is an unhandled rejection).
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}
