import { UpstreamUnavailableError } from '../../platform/errors.ts';
import type {
  FeatureRow,
  FeatureStoreProvider,
  MaterializeRequest,
  MaterializeResult,
  PointInTimeJoinRequest,
  TrainingRow,
  TrainingSetProvider,
  TrainingSetResult,
} from '../core/feature-store.ts';
import type { OnlineStore } from '../core/online-store.ts';
import type pg from 'pg';
import type { Database } from '../../platform/database.ts';
import { BUILTIN_PROVIDER } from './provider.ts';

/** Rows per INSERT statement: large enough to amortize the round trip, small enough for PGlite's one connection. */
const WRITE_CHUNK = 2500;
/** Entities per materialization batch (one offline query, one online-store round trip). */
const MATERIALIZE_BATCH = 5000;
/** jsonb_build_object takes at most 100 arguments: 50 key/value pairs. */
const OBJECT_PAIRS = 40;

/**
 * The built-in provider's `features` capability, and the training sets cut from its history:
 * offline history in Postgres (`offline_feature_row`, one row per (view, entity, event time) with
 * the values as JSONB) and the process's OnlineStore (Redis or in-process). Bulk SQL goes straight to the process's one node-postgres pool (the pool under
 * Prisma: never a second pool, which the embedded PGlite cannot take); Prisma's raw-query path costs
 * about twice the time on 100k-row array parameters.
 */
export class BuiltinFeatureStoreProvider implements FeatureStoreProvider, TrainingSetProvider {
  readonly provider = BUILTIN_PROVIDER;

  constructor(
    private readonly db: Database,
    private readonly pool: pg.Pool,
    private readonly online: OnlineStore,
    private readonly options: { writeConcurrency?: number } = {},
  ) {}

  async writeOffline(featureView: string, rows: FeatureRow[]): Promise<{ written: number }> {
    // Last row of a key wins, and ON CONFLICT may touch each key only once per statement.
    const byKey = new Map<string, FeatureRow>();
    for (const row of rows) byKey.set(`${row.entityKey}\u0000${row.eventTime.getTime()}`, row);
    const unique = [...byKey.values()];
    const chunks: FeatureRow[][] = [];
    for (let i = 0; i < unique.length; i += WRITE_CHUNK) chunks.push(unique.slice(i, i + WRITE_CHUNK));
    const concurrency = Math.max(1, this.options.writeConcurrency ?? 1);
    let next = 0;
    const worker = async () => {
      while (next < chunks.length) {
        const chunk = chunks[next++]!;
        await this.guard(() =>
          this.inTransaction(async (client) => {
            // Shared with other writers of the view, exclusive against materialization reading its
            // watermark: no chunk of this view is in flight when the watermark is taken.
            await client.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [`offline:${featureView}`]);
            // One JSON parameter of [entity, epoch ms, values] tuples: measured ~3x cheaper for the
            // server to take apart than parallel text[] arrays of JSON strings.
            await client.query(
              `INSERT INTO offline_feature_row (feature_view, entity_key, event_time, "values")
               SELECT $1, e->>0, to_timestamp((e->>1)::float8 / 1000), (e->2)::jsonb FROM json_array_elements($2::json) AS e
               ON CONFLICT (feature_view, entity_key, event_time)
               DO UPDATE SET "values" = EXCLUDED."values", seq = nextval('offline_feature_row_seq_seq'), ingested_at = now()`,
              [featureView, JSON.stringify(chunk.map((row) => [row.entityKey, row.eventTime.getTime(), row.values]))],
            );
          }),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, chunks.length) }, worker));
    return { written: unique.length };
  }

  async materialize(request: MaterializeRequest): Promise<MaterializeResult> {
    const end = request.endTime.toISOString();
    const {
      rows: [latest],
    } = await this.guard(() =>
      this.inTransaction(async (client) => {
        // Waits for this view's in-flight ingest chunks to commit: then the sequence's position
        // bounds the seq of every row of the view, committed or not, so no row is ever skipped.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`offline:${request.featureView}`]);
        return client.query<{ position: string }>(
          'SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::text AS position FROM offline_feature_row_seq_seq',
        );
      }),
    );
    const toSeq = latest?.position ?? '0';
    const fromSeq = request.since?.position ?? null;
    const fromEnd = request.since?.endTime.toISOString() ?? null;
    const ttl = request.ttlSeconds;
    let after = '';
    let rowsWritten = 0;
    for (;;) {
      // Entities whose history changed since the watermark: rows ingested after it, or rows the last
      // run's endTime left out that this endTime takes in. Then each one's latest row as of endTime.
      const { rows: page } = await this.guard(() =>
        this.pool.query<{ entity_key: string; event_time: Date | null; v: string | null }>(
          `SELECT e.entity_key, l.event_time, l."values"::text AS v
           FROM (SELECT DISTINCT entity_key FROM offline_feature_row
                 WHERE feature_view = $1 AND entity_key > $2 AND event_time <= $3::timestamptz
                   AND ($4::bigint IS NULL OR seq > $4::bigint OR event_time > $5::timestamptz)
                 ORDER BY entity_key LIMIT ${MATERIALIZE_BATCH}) e
           LEFT JOIN LATERAL (
             SELECT event_time, "values" FROM offline_feature_row r
             WHERE r.feature_view = $1 AND r.entity_key = e.entity_key AND r.event_time <= $3::timestamptz
               AND ($6::int IS NULL OR r.event_time > $3::timestamptz - make_interval(secs => $6::int))
             ORDER BY r.event_time DESC LIMIT 1) l ON true
           ORDER BY e.entity_key`,
          [request.featureView, after, end, fromSeq, fromEnd, ttl],
        ),
      );
      if (page.length === 0) break;
      after = page[page.length - 1]!.entity_key;
      const rows: FeatureRow[] = page
        .filter((row) => row.event_time !== null && row.v !== null)
        .map((row) => ({
          entityKey: row.entity_key,
          eventTime: new Date(row.event_time!),
          values: JSON.parse(row.v!),
        }));
      await this.online.write(request.featureView, rows);
      rowsWritten += rows.length;
      await request.onBatch?.(rows, rowsWritten);
      if (page.length < MATERIALIZE_BATCH) break;
    }
    return { rowsWritten, watermark: { position: toSeq, endTime: request.endTime } };
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  readOnline(featureView: string, entityKeys: readonly string[], features: readonly string[]) {
    return this.online.read(featureView, entityKeys, features);
  }

  async pointInTimeJoin(request: PointInTimeJoinRequest): Promise<TrainingSetResult> {
    const params: unknown[] = [
      request.datasetId,
      request.entities.map((e) => e.entityKey),
      request.entities.map((e) => e.eventTime.toISOString()),
    ];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    // One LATERAL as-of lookup per feature view (and TTL): the latest row at or before the event
    // time, newer than event time - TTL. The primary key (view, entity, event_time) serves it.
    const groups = new Map<string, { alias: string; featureView: string; ttlSeconds: number | null }>();
    const pairs: string[] = [];
    for (const feature of request.features) {
      const key = `${feature.featureView}\u0000${feature.ttlSeconds}`;
      let group = groups.get(key);
      if (!group)
        groups.set(
          key,
          (group = { alias: `j${groups.size}`, featureView: feature.featureView, ttlSeconds: feature.ttlSeconds }),
        );
      pairs.push(`${param(feature.column)}::text, ${group.alias}.v -> ${param(feature.feature)}::text`);
    }
    const laterals = [...groups.values()].map(
      (group) => `LEFT JOIN LATERAL (
        SELECT r."values" AS v FROM offline_feature_row r
        WHERE r.feature_view = ${param(group.featureView)}::text AND r.entity_key = e.k AND r.event_time <= e.t
          ${group.ttlSeconds != null ? `AND r.event_time > e.t - make_interval(secs => ${param(group.ttlSeconds)}::int)` : ''}
        ORDER BY r.event_time DESC LIMIT 1) ${group.alias} ON true`,
    );
    const objects: string[] = [];
    for (let i = 0; i < pairs.length; i += OBJECT_PAIRS)
      objects.push(`jsonb_build_object(${pairs.slice(i, i + OBJECT_PAIRS).join(', ')})`);
    await this.guard(() =>
      this.pool.query(
        `INSERT INTO dataset_row (dataset_id, ordinal, entity_key, event_time, "values")
         SELECT $1, e.ord::int, e.k, e.t, ${objects.length ? objects.join(' || ') : "'{}'::jsonb"}
         FROM unnest($2::text[], $3::timestamptz[]) WITH ORDINALITY AS e(k, t, ord)
         ${laterals.join('\n')}`,
        params,
      ),
    );
    const {
      rows: [result],
    } = await this.guard(() =>
      this.pool.query<{ row_count: number; rows_hash: string | null }>(
        `SELECT count(*)::int AS row_count,
                encode(sha256(convert_to(coalesce(string_agg(
                  entity_key || E'\\t' || (extract(epoch FROM event_time) * 1000)::bigint || E'\\t' || "values"::text,
                  E'\\n' ORDER BY ordinal), ''), 'UTF8')), 'hex') AS rows_hash
         FROM dataset_row WHERE dataset_id = $1`,
        [request.datasetId],
      ),
    );
    return { rowCount: result!.row_count, rowsHash: result!.rows_hash ?? '' };
  }

  async readTrainingRows(datasetId: string, offset: number, limit: number): Promise<TrainingRow[]> {
    const rows = await this.guard(() =>
      this.db.datasetRow.findMany({ where: { datasetId }, orderBy: { ordinal: 'asc' }, skip: offset, take: limit }),
    );
    return rows.map((row) => ({
      entityKey: row.entityKey,
      eventTime: row.eventTime,
      values: row.values as Record<string, unknown>,
    }));
  }

  async dropTrainingRows(datasetId: string): Promise<void> {
    await this.guard(() => this.db.datasetRow.deleteMany({ where: { datasetId } }));
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof UpstreamUnavailableError) throw error;
      const code = (error as { code?: string })?.code;
      if (
        code === 'ECONNREFUSED' ||
        code === 'ECONNRESET' ||
        code === '57P01' ||
        code === 'P1001' ||
        code === 'P1017'
      ) {
        throw new UpstreamUnavailableError(BUILTIN_PROVIDER, 'offline store unreachable', { cause: error });
      }
      throw error;
    }
  }
}
