/**
 * Promotion figures: latency through the gateway with 10 policies in force, and 20 concurrent CI
 * clients promoting their own models while also racing on one shared model, with the check that
 * no promotion was lost or duplicated.
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../server/config.ts';
import { startCairn } from '../server/runtime.ts';
import { scratchDatabase } from '../test/testkit.ts';
import { percentile, post as postTo, round } from './measure.ts';

const post = (url: string, query: string, variables?: Record<string, unknown>) =>
  postTo(`${url}/graphql`, query, variables);

const SAMPLES = Number(process.env.BENCH_PROMOTIONS ?? 200);
const CLIENTS = 20;
const ROUNDS = Number(process.env.BENCH_PROMOTION_ROUNDS ?? 10);

const REGISTER = 'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }';
const PROMOTE =
  'mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { allowed applied previousHolderId promotion { id status } } }';

export async function benchModels() {
  const database = await scratchDatabase();
  const cairn = await startCairn(
    parseConfig({
      ...process.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      CAIRN_DATA_DIR: database.dataDir,
      CAIRN_DEMO: 'off',
      DATABASE_URL: database.url ?? '',
    }),
  );
  try {
    const policies = [
      'candidate.metrics.auc >= 0.7',
      'candidate.metrics.latency_ms < 100.0',
      'has(candidate.gitCommit)',
      'current == null || candidate.metrics.auc >= current.metrics.auc - 0.05',
      'features.all(f, f.openIncidents == 0)',
      'features.all(f, f.quality != "FAILING")',
      'candidate.fairnessMetrics.dp_gap <= 0.1',
      '!("blocked" in candidate.tags)',
      'size(candidate.model) > 0',
      'now > timestamp("2020-01-01T00:00:00Z")',
    ];
    for (const [i, expression] of policies.entries()) {
      await post(cairn.url, 'mutation($input: ApplyPolicyInput!) { applyPolicy(input: $input) { version } }', {
        input: { name: `bench-${i}`, appliesTo: 'STAGING', expression, message: `rule ${i}` },
      });
    }
    const metrics = { auc: 0.9, latency_ms: 20 };
    const spec = { metrics, fairnessMetrics: { dp_gap: 0.02 }, gitCommit: 'abcdef1' };
    const versions: string[] = [];
    for (let i = 0; i < SAMPLES; i++)
      versions.push(
        (await post(cairn.url, REGISTER, { input: { model: `bench-model-${i % 20}`, ...spec } })).registerModelVersion
          .id,
      );

    const times: number[] = [];
    for (const id of versions) {
      const start = performance.now();
      const { promoteModelVersion } = await post(cairn.url, PROMOTE, { input: { modelVersionId: id, to: 'STAGING' } });
      times.push(performance.now() - start);
      if (!promoteModelVersion.applied) throw new Error('bench promotion was denied');
    }
    times.sort((a, b) => a - b);

    // 20 CI clients: each promotes versions of its own model and of one shared model, in turn.
    const own: string[][] = [];
    const shared: string[][] = [];
    for (let c = 0; c < CLIENTS; c++) {
      own.push([]);
      shared.push([]);
      for (let r = 0; r < ROUNDS; r++) {
        own[c]!.push(
          (await post(cairn.url, REGISTER, { input: { model: `ci-${c}`, ...spec } })).registerModelVersion.id,
        );
        shared[c]!.push(
          (await post(cairn.url, REGISTER, { input: { model: 'ci-shared', ...spec } })).registerModelVersion.id,
        );
      }
    }
    const results: { previousHolderId: string | null; id: string; applied: boolean }[] = [];
    const started = performance.now();
    await Promise.all(
      own.map(async (ids, c) => {
        for (let r = 0; r < ROUNDS; r++) {
          for (const id of [ids[r]!, shared[c]![r]!]) {
            const { promoteModelVersion } = await post(cairn.url, PROMOTE, {
              input: { modelVersionId: id, to: 'PRODUCTION', idempotencyKey: `bench-${id}` },
            });
            if (id === shared[c]![r])
              results.push({
                previousHolderId: promoteModelVersion.previousHolderId,
                id,
                applied: promoteModelVersion.applied,
              });
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const total = CLIENTS * ROUNDS * 2;
    const promotions = await cairn.db.promotion.count({ where: { toStage: 'PRODUCTION' } });
    const holders = await cairn.db.modelVersion.count({ where: { model: { name: 'ci-shared' }, stage: 'PRODUCTION' } });
    const chain = new Map(results.map((r) => [r.previousHolderId, r.id]));
    let chained = 0;
    for (let next = chain.get(null); next !== undefined; next = chain.get(next)) chained++;
    return {
      promotionThroughGatewayWith10Policies: {
        p50Ms: round(percentile(times, 50)),
        p99Ms: round(percentile(times, 99)),
        samples: SAMPLES,
      },
      concurrentCiClients: {
        clients: CLIENTS,
        promotions: total,
        seconds: round(seconds),
        promotionsPerSecond: round(total / seconds),
        recordedPromotions: promotions,
        sharedModelHolders: holders,
        sharedModelChainLength: chained,
        noneLostOrDuplicated:
          promotions === total && holders === 1 && chained === results.length && results.every((r) => r.applied),
      },
    };
  } finally {
    await cairn.close();
    await database.drop();
  }
}
