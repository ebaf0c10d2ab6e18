import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Database } from '../platform/database.ts';
import type { JobQueue } from '../platform/jobs.ts';
import type { CatalogSource, Listed, SyncCollection, SyncedKind } from '../adapters/core/catalog-source.ts';
import { NotFoundError, NotSupportedError, UpstreamUnavailableError } from '../platform/errors.ts';
import { log, redact } from '../platform/log.ts';
import { Prisma, type SyncRun } from '../prisma/generated/client.ts';
import { recordAudit } from '../platform/audit.ts';
import { parseInput } from '../platform/validate.ts';
import {
  catalogWriters,
  syncedGlobalId,
  type CatalogWriters,
  type KindWriter,
  type PageWrite,
  type WriteContext,
} from './catalog-writer.ts';

export const SYNC_JOB = 'cairn.sync';

const requestSchema = z.object({ name: z.string().min(1, 'must not be empty').max(200), full: z.boolean().nullish() });

export interface SyncOptions {
  clock: () => Date;
  /** Seconds between scheduled syncs, per provider. */
  intervals: Map<string, number>;
  /** A sync that has not renewed its lease for this long is presumed dead (its process crashed). */
  leaseSeconds?: number;
  /** How long a job waits before retrying when another sync of the same provider holds the lease. */
  busyRetrySeconds?: number;
  /**
   * Called at the end of a provider's sync that read everything, before the run is SUCCEEDED: owner
   * writes left PENDING by a crash are settled against the owner it just read (a failure here is
   * logged, never the sync's).
   */
  afterSync?: (providerName: string) => Promise<void>;
}

interface Counts {
  /** Time spent in describe calls and in the page transactions (listing calls are the rest). */
  describeMs: number;
  writeMs: number;
  listed: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

const emptyCounts = (): Counts => ({
  describeMs: 0,
  writeMs: 0,
  listed: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
});

function fingerprintOf(record: unknown): string {
  return createHash('sha256').update(JSON.stringify(record)).digest('hex').slice(0, 32);
}

/**
 * The sync engine, shared by every cloud adapter: pulls each provider's assets into the catalog as
 * a durable job (pg-boss), on a schedule and on demand.
 *
 * - **One sync per provider at a time**, across processes: a run holds the provider row's lease
 *   (`sync_run_id`, `sync_lease_until`, renewed every page); a job that finds it taken waits and
 *   retries. Providers sync independently: one provider's failure or slowness never holds another.
 * - **Incremental**: a listed asset whose change token (its LastModifiedTime, or a fingerprint of
 *   its listing) equals the last sync's is not described again; a described asset whose record
 *   hashes the same is not written.
 * - **Atomic per page**: the cloud is read first (listing and describe calls, outside any
 *   transaction), then the page's catalog rows, lineage edges, change tokens and the run's counts
 *   commit in one transaction. A failure mid-sync leaves every earlier page complete and nothing
 *   half-written; the next sync resumes naturally (committed pages have their new tokens).
 * - **Deletions** are swept only after every listing of the run completed: an asset the run did
 *   not see is marked removed and its IMPORTED edges get `validTo`. A failed run removes nothing.
 */
export class SyncService {
  private readonly leaseSeconds: number;
  private readonly busyRetrySeconds: number;
  private readonly writers: CatalogWriters;

  constructor(
    private readonly db: Database,
    private readonly jobs: JobQueue,
    private readonly sources: Map<string, CatalogSource>,
    private readonly options: SyncOptions,
  ) {
    this.leaseSeconds = options.leaseSeconds ?? 300;
    this.busyRetrySeconds = options.busyRetrySeconds ?? 1;
    this.writers = catalogWriters(db);
  }

  /** Asks for a sync of `name` now (the `syncProvider` mutation); a sync already waiting to start is answered instead. */
  async request(input: unknown, actor: string, requestId?: string): Promise<SyncRun> {
    const { name, full } = parseInput(requestSchema, input);
    const provider = await this.db.provider.findUnique({ where: { name } });
    if (!provider) throw new NotFoundError('Provider', name);
    if (!this.sources.has(name)) throw new NotSupportedError(name, "sync (its assets are Cairn's own)");
    return this.enqueue(name, 'REQUEST', { full: full ?? false, actor, requestId });
  }

  /** Queues a run and its job in one transaction (the job exists only if the run does). */
  async enqueue(
    name: string,
    trigger: 'REQUEST' | 'SCHEDULE' | 'START',
    options: { full?: boolean; actor?: string; requestId?: string; startAfter?: Date } = {},
  ): Promise<SyncRun> {
    const waiting = await this.db.syncRun.findFirst({
      where: {
        providerName: name,
        status: 'PENDING',
        ...(trigger === 'SCHEDULE' ? {} : { trigger: { not: 'SCHEDULE' } }),
        ...(options.full ? { full: true } : {}),
      },
      orderBy: { createdAt: 'asc' },
    });
    if (waiting) return waiting;
    await this.jobs.declare(SYNC_JOB);
    return this.db.$transaction(async (tx) => {
      const run = await tx.syncRun.create({
        data: {
          providerName: name,
          trigger,
          full: options.full ?? false,
          requestedBy: options.actor ?? null,
          createdAt: this.options.clock(),
        },
      });
      if (trigger === 'REQUEST') {
        await recordAudit(tx, {
          actor: options.actor ?? 'cairn',
          action: 'syncProvider',
          subjectId: `provider:${name}`,
          requestId: options.requestId,
          payload: { runId: run.id, full: run.full },
        });
      }
      await this.jobs.send(
        SYNC_JOB,
        { runId: run.id },
        { transaction: tx, retryLimit: 0, startAfter: options.startAfter },
      );
      return run;
    });
  }

  /** Makes sure each synced provider has its next scheduled run queued (called at start and after every run). */
  async scheduleNext(name: string): Promise<void> {
    const interval = this.options.intervals.get(name);
    if (!interval) return;
    const startAfter = new Date(Date.now() + interval * 1000);
    await this.enqueue(name, 'SCHEDULE', { startAfter });
  }

  /** Fails runs left RUNNING by a process that stopped (their lease expired); called at start. */
  async recoverAbandoned(): Promise<number> {
    return this.db.$executeRaw`
      UPDATE sync_run r SET status = 'FAILED', error = 'abandoned: the process running it stopped', finished_at = now()
      WHERE r.status = 'RUNNING' AND NOT EXISTS (
        SELECT 1 FROM provider p WHERE p.name = r.provider_name AND p.sync_run_id = r.id AND p.sync_lease_until > now())`;
  }

  run(id: string) {
    return this.db.syncRun.findUnique({ where: { id } });
  }

  /** Up to `take` runs, newest first, after `after` (a run's creation time and ID), and how many there are in all. */
  async runs(provider: string | null, take: number, after: { at: Date; id: string } | null = null) {
    const scope = provider ? { providerName: provider } : {};
    const past = after ? { OR: [{ createdAt: { lt: after.at } }, { createdAt: after.at, id: { lt: after.id } }] } : {};
    const [rows, total] = await Promise.all([
      this.db.syncRun.findMany({
        where: { ...scope, ...past },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take,
      }),
      this.db.syncRun.count({ where: scope }),
    ]);
    return { rows, total };
  }

  /** The job: runs one sync to its end. Never throws (the run records the failure; the schedule retries). */
  async execute(runId: string): Promise<void> {
    const run = await this.db.syncRun.findUnique({ where: { id: runId } });
    if (!run || run.status !== 'PENDING') return;
    const source = this.sources.get(run.providerName);
    if (!source) {
      await this.db.syncRun.update({
        where: { id: runId },
        data: { status: 'FAILED', error: 'provider is no longer configured', finishedAt: this.options.clock() },
      });
      return;
    }
    if (!(await this.claimLease(run))) {
      // Another sync of this provider is running: this one waits its turn.
      await this.jobs.send(
        SYNC_JOB,
        { runId },
        { retryLimit: 0, startAfter: new Date(Date.now() + this.busyRetrySeconds * 1000) },
      );
      return;
    }
    const startedAt = this.options.clock();
    await this.db.syncRun.update({ where: { id: runId }, data: { status: 'RUNNING', startedAt } });
    log.info({ provider: run.providerName, runId, trigger: run.trigger, full: run.full }, 'sync started');
    try {
      const progress: Record<string, Counts> = {};
      const collections = source.collections();
      for (const collection of collections) {
        progress[collection.kind] = await this.syncCollection(run, collection, progress);
      }
      for (const collection of [...collections].reverse()) {
        const deleted = await this.sweep(run, collection.kind);
        progress[collection.kind]!.deleted = deleted;
      }
      // Part of the run: it is SUCCEEDED once pending owner writes were settled against what it read.
      await this.options
        .afterSync?.(run.providerName)
        .catch((error: unknown) =>
          log.warn({ err: error, provider: run.providerName }, 'reconciling pending owner writes after a sync failed'),
        );
      const finishedAt = this.options.clock();
      await this.db.$transaction([
        this.db.syncRun.update({
          where: { id: runId },
          data: { status: 'SUCCEEDED', finishedAt, progress: progress as unknown as Prisma.InputJsonValue },
        }),
        this.db.provider.update({
          where: { name: run.providerName },
          data: { status: 'OK', lastSyncAt: finishedAt, lastError: null, syncRunId: null, syncLeaseUntil: null },
        }),
      ]);
      const done = await this.db.syncRun.findUnique({ where: { id: runId } });
      log.info(
        {
          provider: run.providerName,
          runId,
          created: done?.created,
          updated: done?.updated,
          deleted: done?.deleted,
          unchanged: done?.unchanged,
          ms: finishedAt.getTime() - startedAt.getTime(),
        },
        'sync finished',
      );
    } catch (error) {
      const message = redact(error instanceof Error ? error.message : String(error));
      const upstream = error instanceof UpstreamUnavailableError;
      // An unreachable cloud is expected and said in one line; anything else keeps its stack.
      if (upstream) log.error({ provider: run.providerName, runId, error: message }, 'sync failed');
      else log.error({ provider: run.providerName, runId, err: error }, 'sync failed');
      await this.db.$transaction([
        this.db.syncRun.update({
          where: { id: runId },
          data: { status: 'FAILED', finishedAt: this.options.clock(), error: message },
        }),
        this.db.provider.update({
          where: { name: run.providerName },
          data: {
            status: upstream ? 'UNAVAILABLE' : 'DEGRADED',
            lastError: message,
            syncRunId: null,
            syncLeaseUntil: null,
          },
        }),
      ]);
    } finally {
      await this.scheduleNext(run.providerName).catch((error) =>
        log.error({ provider: run.providerName, err: error }, 'could not schedule the next sync'),
      );
    }
  }

  /** Takes the provider's sync lease for `run` (free, expired, or already this run's). */
  private async claimLease(run: SyncRun): Promise<boolean> {
    const claimed = await this.db.$executeRaw`
      UPDATE provider SET sync_run_id = ${run.id}, sync_lease_until = now() + make_interval(secs => ${this.leaseSeconds}), status = 'SYNCING'
      WHERE name = ${run.providerName} AND (sync_run_id IS NULL OR sync_run_id = ${run.id} OR sync_lease_until < now())`;
    return claimed === 1;
  }

  private async syncCollection(
    run: SyncRun,
    collection: SyncCollection,
    progress: Record<string, Counts>,
  ): Promise<Counts> {
    const counts = emptyCounts();
    const kind = collection.kind;
    let pageNumber = 0;
    for await (const page of collection.pages()) {
      pageNumber++;
      await this.syncPage(run, collection, page, counts);
      log.info(
        {
          provider: run.providerName,
          runId: run.id,
          kind,
          page: pageNumber,
          ...counts,
          describeMs: Math.round(counts.describeMs),
          writeMs: Math.round(counts.writeMs),
        },
        'sync progress',
      );
      progress[kind] = counts;
    }
    counts.describeMs = Math.round(counts.describeMs);
    counts.writeMs = Math.round(counts.writeMs);
    return counts;
  }

  private async syncPage(run: SyncRun, collection: SyncCollection, page: Listed<unknown>[], counts: Counts) {
    const provider = run.providerName;
    const kind = collection.kind;
    // A listing may show an asset twice (paging over a changing list): the first one counts.
    const items = [...new Map(page.map((item) => [item.nativeId, item])).values()];
    const stored = new Map(
      (
        await this.db.syncedAsset.findMany({
          where: { providerName: provider, kind, nativeId: { in: items.map((i) => i.nativeId) } },
        })
      ).map((a) => [a.nativeId, a]),
    );
    const seenSame: Listed<unknown>[] = [];
    const toDescribe: Listed<unknown>[] = [];
    for (const item of items) {
      const known = stored.get(item.nativeId);
      const same =
        !run.full && known && !known.goneAt && item.changeToken !== null && known.changeToken === item.changeToken;
      (same ? seenSame : toDescribe).push(item);
    }
    // The cloud is read before the transaction opens: a failing call leaves this page unwritten.
    const describeStart = performance.now();
    const records = toDescribe.length ? await collection.describe(toDescribe as never) : [];
    const describeMs = performance.now() - describeStart;
    const writes: { item: Listed<unknown>; record: unknown; fingerprint: string; id: string; existed: boolean }[] = [];
    const sameRecord: { item: Listed<unknown>; fingerprint: string }[] = [];
    toDescribe.forEach((item, index) => {
      const record = records[index];
      if (record == null) return; // gone since the listing: the sweep decides
      const fingerprint = fingerprintOf(record);
      const known = stored.get(item.nativeId);
      if (known && !known.goneAt && known.fingerprint === fingerprint) {
        // Same record: only its change token may be new (then it is stored with it).
        if (known.changeToken === (item.changeToken ?? '')) seenSame.push(item);
        else sameRecord.push({ item, fingerprint });
      } else
        writes.push({
          item,
          record,
          fingerprint,
          id: syncedGlobalId(provider, kind, item.nativeId, record as never),
          existed: !!known && !known.goneAt,
        });
    });
    const now = this.options.clock();
    const unchangedIds = [...seenSame, ...sameRecord.map((same) => same.item)].map((item) =>
      stored.get(item.nativeId)!,
    );
    const created = writes.filter((w) => !w.existed).length;
    const updated = writes.length - created;
    const writeStart = performance.now();
    await this.db.$transaction(
      async (tx) => {
        const ctx: WriteContext = { tx, provider, now };
        const writer = this.writers[kind] as KindWriter<SyncedKind>;
        if (writes.length)
          await writer.write(
            ctx,
            writes.map((w): PageWrite<never> => ({
              nativeId: w.item.nativeId,
              record: w.record as never,
              fingerprint: w.fingerprint,
            })),
          );
        if (unchangedIds.length)
          await writer.touch(
            ctx,
            unchangedIds.map((a) => a.globalId),
          );
        const upserts = [
          ...writes.map((w) => ({
            nativeId: w.item.nativeId,
            globalId: w.id,
            changeToken: w.item.changeToken ?? '',
            fingerprint: w.fingerprint,
          })),
          ...sameRecord.map((s) => ({
            nativeId: s.item.nativeId,
            globalId: stored.get(s.item.nativeId)!.globalId,
            changeToken: s.item.changeToken ?? '',
            fingerprint: s.fingerprint,
          })),
        ];
        if (upserts.length) {
          await tx.$executeRaw`
            INSERT INTO synced_asset (provider_name, kind, native_id, global_id, change_token, fingerprint, last_run_id, seen_at, gone_at)
            SELECT ${provider}, ${kind}, u.native_id, u.global_id, u.change_token, u.fingerprint, ${run.id}, ${now}, NULL
            FROM unnest(${upserts.map((u) => u.nativeId)}::text[], ${upserts.map((u) => u.globalId)}::text[],
                        ${upserts.map((u) => u.changeToken)}::text[], ${upserts.map((u) => u.fingerprint)}::text[])
                 AS u(native_id, global_id, change_token, fingerprint)
            ON CONFLICT (provider_name, kind, native_id) DO UPDATE SET
              global_id = EXCLUDED.global_id, change_token = EXCLUDED.change_token, fingerprint = EXCLUDED.fingerprint,
              last_run_id = EXCLUDED.last_run_id, seen_at = EXCLUDED.seen_at, gone_at = NULL`;
        }
        if (seenSame.length) {
          await tx.syncedAsset.updateMany({
            where: { providerName: provider, kind, nativeId: { in: seenSame.map((i) => i.nativeId) } },
            data: { lastRunId: run.id, seenAt: now },
          });
        }
        await tx.syncRun.update({
          where: { id: run.id },
          data: {
            created: { increment: created },
            updated: { increment: updated },
            unchanged: { increment: unchangedIds.length },
            pages: { increment: 1 },
          },
        });
        // Renew the lease: this sync is alive.
        await tx.$executeRaw`UPDATE provider SET sync_lease_until = now() + make_interval(secs => ${this.leaseSeconds}) WHERE name = ${provider} AND sync_run_id = ${run.id}`;
      },
      { timeout: 60_000, maxWait: 60_000 },
    );
    counts.describeMs += describeMs;
    counts.writeMs += performance.now() - writeStart;
    counts.listed += items.length;
    counts.created += created;
    counts.updated += updated;
    counts.unchanged += unchangedIds.length;
  }

  /** Marks what this run did not see (its listings all completed) as removed, 500 at a time. */
  private async sweep(run: SyncRun, kind: SyncedKind): Promise<number> {
    let deleted = 0;
    for (;;) {
      const gone = await this.db.syncedAsset.findMany({
        where: { providerName: run.providerName, kind, goneAt: null, lastRunId: { not: run.id } },
        take: 500,
      });
      if (!gone.length) return deleted;
      const now = this.options.clock();
      await this.db.$transaction(
        async (tx) => {
          await this.writers[kind].remove(
            { tx, provider: run.providerName, now },
            gone.map((a) => a.globalId),
          );
          await tx.syncedAsset.updateMany({
            where: { providerName: run.providerName, kind, nativeId: { in: gone.map((a) => a.nativeId) } },
            data: { goneAt: now },
          });
          await tx.syncRun.update({ where: { id: run.id }, data: { deleted: { increment: gone.length } } });
        },
        { timeout: 60_000, maxWait: 60_000 },
      );
      log.info({ provider: run.providerName, runId: run.id, kind, removed: gone.length }, 'sync noticed deletions');
      deleted += gone.length;
    }
  }
}
