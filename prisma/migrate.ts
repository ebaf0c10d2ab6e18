/**
 * Cairn's migration runner, built on Prisma's WebAssembly schema engine
 * (`@prisma/schema-engine-wasm`) driving PostgreSQL through `@prisma/adapter-pg`.
 *
 * The Prisma CLI's native schema engine cannot be downloaded in our environments, so
 * `prisma migrate deploy/dev` are replaced by:
 *
 *   applyMigrations(url)        ~ `prisma migrate deploy`  (engine `applyMigrations`)
 *   createMigration(url, name)  ~ `prisma migrate dev --create-only`  (engine `diff`
 *                                 from the migrations folder, replayed on a temporary
 *                                 shadow database, to the schema folder prisma/schema/)
 *
 * Migrations use Prisma's standard layout (`prisma/migrations/<timestamp>_<name>/migration.sql`
 * plus `migration_lock.toml`) and are recorded in the standard `_prisma_migrations` table by
 * the engine itself (same checksums, same columns), so a real `prisma migrate deploy` run
 * elsewhere agrees with what this runner did.
 *
 * CLI:
 *   npx tsx prisma/migrate.ts deploy          # DATABASE_URL required
 *   npx tsx prisma/migrate.ts create <name>   # DATABASE_URL, or a scratch DB on local Postgres
 *
 * The runner is split along its seams in prisma/migrate/: engine.ts (the wasm schema engine),
 * adapter.ts (the driver adapter binding, with its workarounds) and commands.ts (apply, create,
 * and the command line). This file is the entry point the scripts and the server import.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { redact } from './migrate/engine.ts';
import { runMigrateCli } from './migrate/commands.ts';

export {
  applyMigrations,
  createMigration,
  MIGRATIONS_DIR,
  readSchemaFiles,
  SCHEMA_PATH,
  type ApplyOptions,
  type CreateOptions,
} from './migrate/commands.ts';
export { loadSchemaEngineWasm, MigrateError, readMigrationsList } from './migrate/engine.ts';

const invokedDirectly = (() => {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return (
      pathToFileURL(path.resolve(entry)).href === import.meta.url ||
      path.resolve(entry) === fileURLToPath(import.meta.url)
    );
  } catch {
    return false;
  }
})();

if (invokedDirectly) {
  const url = process.env.DATABASE_URL;
  runMigrateCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`error: ${redact(msg.split('\n')[0] ?? msg, url)}\n`);
      process.exit(1);
    },
  );
}
