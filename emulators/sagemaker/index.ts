import { SageMakerEmulator, EMULATOR_ACCESS_KEY_ID } from './server.ts';
import { SageMakerState } from './state.ts';
import { generateEstate, seedDemoEstate } from './seed.ts';

export { SageMakerEmulator, SageMakerState, EMULATOR_ACCESS_KEY_ID, generateEstate, seedDemoEstate };

/** Static credentials the emulator accepts; for the emulator only, never for AWS. */
export const EMULATOR_CREDENTIALS = {
  accessKeyId: EMULATOR_ACCESS_KEY_ID,
  secretAccessKey: 'emulator-secret-not-a-real-key',
};

/** Starts an emulator on a free loopback port, seeded by `seed` (the demo estate by default). */
export async function startSageMakerEmulator(
  options: { seed?: (state: SageMakerState) => void; region?: string; accountId?: string; clock?: () => Date } = {},
): Promise<SageMakerEmulator> {
  const state = new SageMakerState(options.region, options.accountId, options.clock);
  (options.seed ?? seedDemoEstate)(state);
  const emulator = new SageMakerEmulator(state);
  await emulator.start();
  return emulator;
}
