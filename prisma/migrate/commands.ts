/**
 * The commands: apply the pending migrations (`prisma migrate deploy`), create a new one from the
 * schema (`prisma migrate dev --create-only`), and the command line that offers both.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { redact as redactSecrets } from '../../platform/log.ts';
import { adminQuery, quoteIdent } from './adapter.ts';
import {
  LOCKFILE_CONTENT,
  LOCKFILE_NAME,
  MigrateError,
  NO_FILTERS,
  readMigrationsList,
  redact,
  withEngine,
} from './engine.ts';

const PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Default locations: in prisma/. The schema is Prisma's multi-file schema: a folder of .prisma files. */
export const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');
export const SCHEMA_PATH = path.join(PRISMA_DIR, 'schema');

export interface ApplyOptions {
  /** Receives progress messages (URLs in them are masked). */
  log?: (msg: string) => void;
  /** Override the migrations folder (default: prisma/migrations). */
  migrationsDir?: string;
}

export interface CreateOptions {
  log?: (msg: string) => void;
  migrationsDir?: string;
  /** Override the Prisma schema: a .prisma file, or a folder of them (default: the prisma/schema folder). */
  schemaPath?: string;
}

/**
 * Apply the pending migrations of prisma/migrations to `databaseUrl` and record them in
 * `_prisma_migrations` (the engine's `applyMigrations`, i.e. `prisma migrate deploy`).
 * Returns the names applied by this call; `[]` when the database was already up to date.
 */
export async function applyMigrations(databaseUrl: string, opts: ApplyOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const list = await readMigrationsList(migrationsDir);
  if (list.migrationDirectories.length === 0) {
    log(`No migrations found in ${migrationsDir}`);
  }
  log(`Checking ${list.migrationDirectories.length} migration(s) against ${redactSecrets(databaseUrl)}`);
  const t0 = performance.now();
  const { appliedMigrationNames } = await withEngine(databaseUrl, 'applyMigrations', (engine) =>
    engine.applyMigrations({ migrationsList: list, filters: NO_FILTERS }),
  );
  for (const name of appliedMigrationNames) log(`Applied ${name}`);
  log(
    appliedMigrationNames.length
      ? `Applied ${appliedMigrationNames.length} migration(s) in ${Math.round(performance.now() - t0)} ms`
      : `Database is up to date (${Math.round(performance.now() - t0)} ms)`,
  );
  return { applied: appliedMigrationNames };
}

function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 200);
}

/**
 * The schema's files as the engine takes them: one file, or every .prisma file of a folder and its
 * subfolders (what `prisma generate --schema <folder>` reads), in a stable order.
 */
export async function readSchemaFiles(schemaPath: string): Promise<{ path: string; content: string }[]> {
  const paths = (await stat(schemaPath)).isDirectory()
    ? (await readdir(schemaPath, { recursive: true }))
        .filter((name) => name.endsWith('.prisma'))
        .sort()
        .map((name) => path.join(schemaPath, name))
    : [schemaPath];
  if (paths.length === 0) throw new Error('no .prisma files in it');
  return Promise.all(paths.map(async (file) => ({ path: file, content: await readFile(file, 'utf8') })));
}

function timestamp(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * Write a new migration `<timestamp>_<name>/migration.sql` whose SQL takes the schema produced by
 * the existing migrations to the schema (the prisma/schema folder). The existing migrations are replayed by the
 * engine on a temporary shadow database created (and dropped) on the server of `databaseUrl`;
 * the database of `databaseUrl` itself is neither read nor changed, but must exist, and its role
 * needs CREATEDB. Returns the new folder's path, or null when the schema needs no change.
 * Unlike `prisma migrate dev`, the script has no "Warnings:" header for destructive steps
 * (that comes from the engine's createMigration/evaluateDataLoss, which do not work here).
 */
export async function createMigration(
  databaseUrl: string,
  name: string,
  opts: CreateOptions = {},
): Promise<string | null> {
  const log = opts.log ?? (() => {});
  const migrationsDir = path.resolve(opts.migrationsDir ?? MIGRATIONS_DIR);
  const schemaPath = path.resolve(opts.schemaPath ?? SCHEMA_PATH);
  const slug = slugify(name);
  if (!slug) throw new MigrateError(`createMigration: invalid migration name ${JSON.stringify(name)}`);
  const files = await readSchemaFiles(schemaPath).catch((e: Error) => {
    throw new MigrateError(`createMigration: cannot read ${schemaPath}: ${e.message}`);
  });

  const list = await readMigrationsList(migrationsDir);
  if (list.lockfile.content === null) {
    if (list.migrationDirectories.length > 0) {
      throw new MigrateError(`createMigration: ${path.join(migrationsDir, LOCKFILE_NAME)} is missing`);
    }
    // First migration: the engine needs the lockfile to know which connector the (empty) history is for.
    list.lockfile = { path: LOCKFILE_NAME, content: LOCKFILE_CONTENT };
  }

  // The engine's own `createMigration` fails on Postgres in this wasm build ("PostgreSQL shadow DB
  // must be provided through an external factory") unless another command opened a shadow DB
  // first; `diff` from the migrations history goes through the adapter's shadow factory directly
  // and produces the same script.
  log(
    `Diffing ${list.migrationDirectories.length} migration(s) against ${schemaPath} (shadow database on ${redactSecrets(databaseUrl)})`,
  );
  const result = await withEngine(databaseUrl, 'createMigration', (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...list },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: true,
      filters: NO_FILTERS,
    }),
  );
  const script = result.stdout ?? '';
  if (result.exitCode === 0 || !script.trim() || /^-- This is an empty migration\.\s*$/.test(script)) {
    log('No schema changes: nothing to create');
    return null;
  }

  // Folder names must sort after every existing migration.
  let ts = timestamp(new Date());
  const latest = list.migrationDirectories.at(-1)?.path.slice(0, 14);
  if (latest && /^\d{14}$/.test(latest) && ts <= latest) ts = String(BigInt(latest) + 1n);
  const dir = path.join(migrationsDir, `${ts}_${slug}`);
  if (existsSync(dir)) throw new MigrateError(`createMigration: ${dir} already exists`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'migration.sql'), script, 'utf8');
  if (!existsSync(path.join(migrationsDir, LOCKFILE_NAME))) {
    await writeFile(path.join(migrationsDir, LOCKFILE_NAME), LOCKFILE_CONTENT, 'utf8');
  }
  log(`Created ${path.relative(process.cwd(), dir) || dir}`);
  return dir;
}

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432';

/** Runs `deploy` or `create <name>`; answers the process exit code. */
export async function runMigrateCli(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const url = process.env.DATABASE_URL?.trim() || undefined;
  const out = (msg: string) => process.stdout.write(`${redact(msg, url)}\n`);
  const err = (msg: string) => process.stderr.write(`${redact(msg, url)}\n`);

  switch (cmd) {
    case 'deploy': {
      if (!url) {
        err('error: DATABASE_URL is not set');
        return 1;
      }
      const { applied } = await applyMigrations(url);
      if (applied.length === 0) out('No pending migrations.');
      for (const name of applied) out(`Applied ${name}`);
      return 0;
    }
    case 'create': {
      const name = rest.join(' ').trim();
      if (!name) {
        err('usage: npx tsx prisma/migrate.ts create <name>');
        return 2;
      }
      let target = url;
      let scratch: string | undefined;
      if (!target) {
        scratch = `cairn_migrate_scratch_${process.pid}_${Date.now()}`;
        await adminQuery(`${LOCAL_SERVER}/postgres`, `CREATE DATABASE ${quoteIdent(scratch)}`).catch((e: Error) => {
          throw new MigrateError(
            `cannot create a scratch database on ${LOCAL_SERVER} (set DATABASE_URL): ${e.message}`,
          );
        });
        target = `${LOCAL_SERVER}/${scratch}`;
      }
      try {
        const dir = await createMigration(target, name);
        out(
          dir
            ? `Created ${path.relative(process.cwd(), dir)}/migration.sql`
            : 'No schema changes: no migration created.',
        );
      } finally {
        if (scratch)
          await adminQuery(`${LOCAL_SERVER}/postgres`, `DROP DATABASE IF EXISTS ${quoteIdent(scratch)}`).catch(
            () => {},
          );
      }
      return 0;
    }
    default:
      err('usage: npx tsx prisma/migrate.ts deploy | create <name>');
      return 2;
  }
}
