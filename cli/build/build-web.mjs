// Before `npm start` and `npm test`: builds the dashboard (npm run build -> web/dist) when web/dist is
// missing or older than its sources or the supergraph its types come from. Up to date, it only
// compares file times (a few milliseconds). Nothing but Node built-ins, like preflight.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const web = join(root, 'web');
const SOURCES = ['index.html', 'vite.config.ts', 'codegen.ts', 'tsconfig.json', 'src'];
const GENERATED = join(web, 'src', 'gql');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    const child = join(path, entry);
    if (child !== GENERATED) latest = Math.max(latest, newest(child));
  }
  return latest;
}

/** Why the dashboard needs a build, or null when web/dist is up to date. */
export function dashboardStaleReason() {
  if (!existsSync(join(web, 'src'))) return null;
  const built = join(web, 'dist', 'index.html');
  if (!existsSync(built)) return 'web/dist is missing';
  const sources = Math.max(
    newest(join(root, 'gateway', 'supergraph.graphql')),
    ...SOURCES.map((s) => newest(join(web, s))),
  );
  return sources > statSync(built).mtimeMs ? 'web/dist is older than web/src or the supergraph' : null;
}

/** Builds the dashboard when stale; throws (with the build's output on the terminal) when the build fails. */
export function ensureDashboardBuilt() {
  const reason = dashboardStaleReason();
  if (!reason) return false;
  console.error(`cairn: building the dashboard (${reason})`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  // Vite builds React's development copy when NODE_ENV says so (vitest sets it to `test`): the dashboard
  // served is the production build whichever environment asked for it.
  const result = spawnSync(npm, ['run', '--silent', 'build'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error('cairn: the dashboard build failed (npm run build)');
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    ensureDashboardBuilt();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
