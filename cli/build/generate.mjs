// Generates the Prisma client when a file of the schema folder (prisma/schema/, Prisma's multi-file
// schema) is newer than it (fast no-op otherwise).
// The Prisma CLI insists on a native schema engine it would download; `generate` never runs it,
// so any existing file satisfies the check and nothing is fetched.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const schema = `${root}prisma/schema`;
const client = `${root}prisma/generated/client.ts`;
const force = process.argv.includes('--force');
// The folder's own mtime moves when a file is added, removed or renamed in it.
const schemaChanged = Math.max(
  statSync(schema).mtimeMs,
  ...readdirSync(schema)
    .filter((name) => name.endsWith('.prisma'))
    .map((name) => statSync(`${schema}/${name}`).mtimeMs),
);
if (!force && existsSync(client) && statSync(client).mtimeMs >= schemaChanged) process.exit(0);

const result = spawnSync(
  process.execPath,
  [`${root}node_modules/prisma/build/index.js`, 'generate', '--schema', schema],
  {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: `${schema}/schema.prisma`,
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  },
);
if (result.status !== 0) {
  console.error('cairn: `prisma generate` failed (see above)');
  process.exit(result.status ?? 1);
}
console.error('cairn: generated the Prisma client (prisma/generated)');
