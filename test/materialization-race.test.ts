import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinFeatureStoreProvider } from '../adapters/builtin/feature-store.ts';
import { MemoryOnlineStore } from '../adapters/builtin/online-store/memory.ts';
import { startTestCairn, type TestCairn } from './testkit.ts';

// Needs a second, independent connection to hold an ingest open: PostgreSQL only (PGlite is one session).
const skip = process.env.DATABASE_URL ? undefined : 'DATABASE_URL is not set';

describe.skipIf(Boolean(skip))(
  `incremental materialization next to an ingest in flight${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let cairn: TestCairn;
    let pool: pg.Pool;
    beforeAll(async () => {
      cairn = await startTestCairn();
      pool = new pg.Pool({ connectionString: cairn.databaseUrl, max: 4 });
    });
    afterAll(async () => {
      await pool?.end();
      await cairn?.close();
    });

    it('never moves its watermark past a row that commits later', async () => {
      const online = new MemoryOnlineStore();
      const store = new BuiltinFeatureStoreProvider(cairn.db, pool, online, { writeConcurrency: 1 });
      const t = new Date('2026-01-01T00:00:00Z');
      await store.writeOffline('race', [{ entityKey: 'a', eventTime: t, values: { x: 1 } }]);
      const first = await store.materialize({
        featureView: 'race',
        endTime: new Date('2026-02-01T00:00:00Z'),
        ttlSeconds: null,
        since: null,
      });

      // An ingest of entity b takes its seq, then stays uncommitted while the next run starts.
      const held = await pool.connect();
      await held.query('BEGIN');
      await held.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', ['offline:race']);
      await held.query(
        `INSERT INTO offline_feature_row (feature_view, entity_key, event_time, "values") VALUES ('race', 'b', $1, '{"x": 2}')`,
        [t],
      );
      const second = store.materialize({
        featureView: 'race',
        endTime: new Date('2026-02-01T00:00:00Z'),
        ttlSeconds: null,
        since: first.watermark,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await held.query('COMMIT');
      held.release();
      const result = await second;

      const third = await store.materialize({
        featureView: 'race',
        endTime: new Date('2026-02-01T00:00:00Z'),
        ttlSeconds: null,
        since: result.watermark,
      });
      expect(result.rowsWritten + third.rowsWritten).toBeGreaterThanOrEqual(1);
      expect(await online.read('race', ['a', 'b'], ['x'])).toEqual([
        { entityKey: 'a', values: { x: 1 }, eventTime: t },
        { entityKey: 'b', values: { x: 2 }, eventTime: t },
      ]);
    });
  },
);
