import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestCairn, waitFor, type TestCairn } from './testkit.ts';
import {
  EMULATOR_CREDENTIALS,
  startSageMakerEmulator,
  type SageMakerEmulator,
  type SageMakerState,
} from '../emulators/sagemaker/index.ts';

export interface SageMakerTestCairn {
  cairn: TestCairn;
  emulator: SageMakerEmulator;
  provider: string;
  /** Asks for a sync through the gateway and waits for it to end; answers the run. */
  sync(options?: { full?: boolean }): Promise<SyncRunView>;
  close(): Promise<void>;
}

export interface SyncRunView {
  id: string;
  status: string;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  pages: number;
  error: string | null;
  progress: Record<string, { listed: number; created: number; updated: number; deleted: number; unchanged: number }>;
}

const RUN_FIELDS = 'id status created updated deleted unchanged pages error progress';

export async function waitForRun(cairn: TestCairn, id: string): Promise<SyncRunView> {
  return waitFor(
    async () => {
      const answer = await cairn.query(`query($id: ID!) { syncRun(id: $id) { ${RUN_FIELDS} } }`, { id });
      const run = answer.data?.syncRun as SyncRunView | undefined;
      return run && (run.status === 'SUCCEEDED' || run.status === 'FAILED') ? run : undefined;
    },
    { what: `sync run ${id}`, intervalMs: 50 },
  );
}

/**
 * A whole Cairn whose cairn.config.yaml names one SageMaker provider pointed at a fresh emulator
 * (seeded with `seed`, the demo estate by default), with the SDK's backoff cut to 1 ms so
 * retries test in milliseconds. Waits for the sync at start to finish.
 */
export async function startSageMakerCairn(
  options: {
    seed?: (state: SageMakerState) => void;
    provider?: string;
    maxAttempts?: number;
    extraYaml?: string;
    env?: Record<string, string>;
  } = {},
): Promise<SageMakerTestCairn> {
  const emulator = await startSageMakerEmulator({ seed: options.seed });
  const provider = options.provider ?? 'sm-test';
  const dir = await mkdtemp(join(tmpdir(), 'cairn-config-'));
  const file = join(dir, 'cairn.config.yaml');
  await writeFile(
    file,
    `providers:
  - name: ${provider}
    kind: SAGEMAKER
    region: ${emulator.state.region}
    accountId: "${emulator.state.accountId}"
    endpoint: ${emulator.url}
    credentials: default-chain
    syncIntervalSeconds: 3600
    maxAttempts: ${options.maxAttempts ?? 3}
${options.extraYaml ?? ''}`,
  );
  const cairn = await startTestCairn(
    { CAIRN_CONFIG: file, ...options.env },
    { providerDeps: { sagemaker: { credentials: EMULATOR_CREDENTIALS, backoffMs: () => 1 } } },
  );
  try {
    const first = await waitFor(
      async () => {
        const answer = await cairn.query(
          `query($p: String) { syncRuns(provider: $p) { nodes { id trigger status } } }`,
          {
            p: provider,
          },
        );
        return (answer.data?.syncRuns?.nodes as { id: string; trigger: string; status: string }[] | undefined)?.find(
          (r) => r.trigger === 'START',
        );
      },
      { what: 'the sync at start to be queued' },
    );
    await waitForRun(cairn, first.id);
  } catch (error) {
    await cairn.close();
    await emulator.close();
    throw error;
  }
  return {
    cairn,
    emulator,
    provider,
    async sync(syncOptions = {}) {
      const { syncProvider } = await cairn.data(
        `mutation($input: SyncProviderInput!) { syncProvider(input: $input) { id } }`,
        { input: { name: provider, full: syncOptions.full ?? null } },
      );
      return waitForRun(cairn, syncProvider.id);
    },
    async close() {
      await cairn.close();
      await emulator.close();
    },
  };
}
