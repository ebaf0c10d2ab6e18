import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { applyMigrations, createMigration, MIGRATIONS_DIR, SCHEMA_PATH } from './migrate.ts';

/** Server used for the scratch database (override with CAIRN_TEST_PG_URL). */
const ADMIN_URL = process.env.CAIRN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const unreachable = await adminQuery('SELECT 1').then(
  () => null,
  (e: Error) => e.message,
);
if (unreachable) {
  console.warn(
    `[migrate.test] SKIPPED: PostgreSQL at ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')} is unreachable (${unreachable})`,
  );
}

const initMigration = readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name.endsWith('_init'))
  .map((d) => d.name)
  .sort()[0];

describe.skipIf(unreachable !== null)('applyMigrations on a scratch PostgreSQL database', () => {
  const dbName = `cairn_migrate_test_${process.pid}_${Date.now()}`;
  const dbUrl = (() => {
    const u = new URL(ADMIN_URL);
    u.pathname = `/${dbName}`;
    return u.toString();
  })();
  let client: pg.Client | undefined;

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE "${dbName}"`);
  });

  afterAll(async () => {
    await client?.end().catch(() => {});
    await adminQuery(`DROP DATABASE IF EXISTS "${dbName}"`);
  });

  it('has an init migration in prisma/migrations', () => {
    expect(initMigration, 'prisma/migrations/<timestamp>_init is missing').toBeDefined();
  });

  it('applies the pending migrations to an empty database', async () => {
    const logs: string[] = [];
    const { applied } = await applyMigrations(dbUrl, { log: (m) => logs.push(m) });
    expect(applied).toContain(initMigration);
    expect(logs.some((l) => l.includes(`Applied ${initMigration}`))).toBe(true);

    client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    const { rows: tables } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const names = tables.map((r) => r.table_name);
    for (const table of ['provider', 'feature_view', 'model_version', 'lineage_edge', '_prisma_migrations']) {
      expect(names).toContain(table);
    }
  }, 60_000);

  it("records the init migration as finished in _prisma_migrations, with Prisma's checksum", async () => {
    const { rows } = await client!.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
      applied_steps_count: number;
      logs: string | null;
    }>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at, applied_steps_count, logs FROM _prisma_migrations`,
    );
    const init = rows.find((r) => r.migration_name === initMigration);
    expect(init).toBeDefined();
    expect(init!.finished_at).toBeInstanceOf(Date);
    expect(init!.rolled_back_at).toBeNull();
    expect(init!.logs).toBeNull();
    expect(init!.applied_steps_count).toBe(1);
    // Same checksum `prisma migrate deploy` computes (sha256 of migration.sql), so both agree.
    const sql = readFileSync(path.join(MIGRATIONS_DIR, initMigration!, 'migration.sql'));
    expect(init!.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
  });

  it('applies nothing the second time', async () => {
    const { applied } = await applyMigrations(dbUrl);
    expect(applied).toEqual([]);
    const { rows } = await client!.query<{ n: number }>(`SELECT count(*)::int AS n FROM _prisma_migrations`);
    expect(rows[0]!.n).toBe(readdirSync(MIGRATIONS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).length);
  }, 60_000);
});

describe.skipIf(unreachable !== null)('createMigration from the schema folder (prisma/schema/*.prisma)', () => {
  // Scratch copies: a migration the test creates must never land in prisma/migrations.
  const scratch = mkdtempSync(path.join(tmpdir(), 'cairn-migrate-create-'));
  const migrationsDir = path.join(scratch, 'migrations');
  cpSync(MIGRATIONS_DIR, migrationsDir, { recursive: true });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds nothing to create: the migrations build exactly what the schema folder says', async () => {
    expect(await createMigration(ADMIN_URL, 'nothing', { migrationsDir })).toBeNull();
  }, 60_000);

  it('turns a change in any file of the folder into a migration', async () => {
    const schemaDir = path.join(scratch, 'schema');
    cpSync(SCHEMA_PATH, schemaDir, { recursive: true });
    const lineage = path.join(schemaDir, 'lineage.prisma');
    const before = readFileSync(lineage, 'utf8');
    expect(before).toContain('model LineageEdge {');
    writeFileSync(lineage, before.replace('model LineageEdge {', 'model LineageEdge {\n  probe String?'));
    const dir = await createMigration(ADMIN_URL, 'probe', { migrationsDir, schemaPath: schemaDir });
    expect(dir).not.toBeNull();
    expect(readFileSync(path.join(dir!, 'migration.sql'), 'utf8')).toMatch(
      /ALTER TABLE "lineage_edge" ADD COLUMN\s+"probe" TEXT/,
    );
  }, 60_000);
});
