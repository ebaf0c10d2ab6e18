/**
 * Sync figures: a SageMaker estate of BENCH_SYNC_PACKAGES model packages (default 5,000, in groups
 * of ten, each with its training lineage) and BENCH_SYNC_ENDPOINTS endpoints (default 1,000) in the
 * emulator, pulled into a fresh catalog through the real SDK: the first sync (everything new), then
 * a second one with nothing changed (incremental: listings only, no describe calls, no writes).
 *
 *   npx tsx bench/sync.ts      this section alone
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../server/config.ts';
import { startCairn } from '../server/runtime.ts';
import { EMULATOR_CREDENTIALS, generateEstate, startSageMakerEmulator } from '../emulators/sagemaker/index.ts';
import { scratchDatabase, waitFor } from '../test/testkit.ts';
import { round } from './measure.ts';

const PACKAGES = Number(process.env.BENCH_SYNC_PACKAGES ?? 5000);
const ENDPOINTS = Number(process.env.BENCH_SYNC_ENDPOINTS ?? 1000);
const PROVIDER = 'sagemaker-bench';

export async function benchSync() {
  const emulator = await startSageMakerEmulator({
    seed: (state) => generateEstate(state, { modelPackages: PACKAGES, endpoints: ENDPOINTS }),
  });
  const database = await scratchDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'cairn-bench-'));
  const file = join(dir, 'cairn.config.yaml');
  await writeFile(
    file,
    `providers:\n  - { name: ${PROVIDER}, kind: SAGEMAKER, region: eu-west-1, endpoint: "${emulator.url}", syncIntervalSeconds: 86400 }\n`,
  );
  const cairn = await startCairn(
    parseConfig({
      ...process.env,
      PORT: '0',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      CAIRN_DATA_DIR: database.dataDir,
      CAIRN_DEMO: 'off',
      CAIRN_CONFIG: file,
      DATABASE_URL: database.url ?? '',
    }),
    { providerDeps: { sagemaker: { credentials: EMULATOR_CREDENTIALS } } },
  );
  try {
    const finished = (id: string) =>
      waitFor(
        async () => {
          const run = await cairn.services.sync.run(id);
          return run && (run.status === 'SUCCEEDED' || run.status === 'FAILED') ? run : undefined;
        },
        { timeoutMs: 30 * 60_000, intervalMs: 100, what: 'a sync' },
      );
    const figures = (run: Awaited<ReturnType<typeof finished>>, calls: number) => {
      if (run.status !== 'SUCCEEDED') throw new Error(`bench sync failed: ${run.error}`);
      const seconds = (run.finishedAt!.getTime() - run.startedAt!.getTime()) / 1000;
      const assets = run.created + run.updated + run.unchanged;
      return {
        seconds: round(seconds),
        assets,
        assetsPerSecond: round(assets / seconds),
        created: run.created,
        updated: run.updated,
        unchanged: run.unchanged,
        sageMakerCalls: calls,
      };
    };
    const start = await waitFor(
      async () => (await cairn.services.sync.runs(PROVIDER, 5)).rows.find((r) => r.trigger === 'START'),
      { what: 'the sync at start' },
    );
    const first = figures(await finished(start.id), emulator.calls.length);
    emulator.reset();
    const second = figures(
      await finished((await cairn.services.sync.request({ name: PROVIDER }, 'bench')).id),
      emulator.calls.length,
    );
    return {
      estate: {
        modelPackages: PACKAGES,
        modelPackageGroups: Math.ceil(PACKAGES / 10),
        endpoints: ENDPOINTS,
        database: database.url ? 'postgres' : 'pglite',
      },
      firstSync: first,
      secondSyncUnchanged: second,
      speedup: round(first.seconds / second.seconds),
    };
  } finally {
    await cairn.close();
    await emulator.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchSync(), null, 2));
}
