/**
 * Deployment control-plane figures (the inference router has its own): latency through the gateway
 * of setTrafficSplit and of reading an endpoint with its split, rollout and history; one canary
 * check (analysis + record + next job); and traffic changes per second from concurrent clients,
 * half of them racing on one endpoint, with the check that the history and the catalog agree.
 * Run alone: `npx tsx bench/deployments.ts`.
 */
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../server/config.ts';
import { startCairn } from '../server/runtime.ts';
import type { DeploymentStats, DeploymentStatsSource } from '../adapters/core/deployment.ts';
import { scratchDatabase } from '../test/testkit.ts';
import { latency, post as postTo, round } from './measure.ts';

const post = (url: string, query: string, variables?: Record<string, unknown>) =>
  postTo(`${url}/graphql`, query, variables);

const CLIENTS = Number(process.env.BENCH_DEPLOY_CLIENTS ?? 16);
const CHANGES_PER_CLIENT = Number(process.env.BENCH_DEPLOY_CHANGES ?? 25);

const SET_SPLIT = 'mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { id } }';
const DEPLOY = 'mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }';
const READ = `query($id: ID!) { endpoint(id: $id) { name trafficSplit { deployment { id } percent shadow } stableDeployment { id }
  activeRollout { status stepIndex lastAnalysis { verdict reasons } } trafficHistory(first: 20) { nodes { reason live { deployment { id } percent } } } } }`;

class SteadyStats implements DeploymentStatsSource {
  statsSince(ids: string[]) {
    return new Map<string, DeploymentStats>(ids.map((id) => [id, { requests: 1000, errors: 2, latencyP99Ms: 40 }]));
  }
}

export async function benchDeployments() {
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
    { deploymentStats: new SteadyStats() },
  );
  try {
    const endpoints: { id: string; a: string; b: string }[] = [];
    for (let i = 0; i <= CLIENTS; i++) {
      const versions = [];
      for (let v = 0; v < 2; v++)
        versions.push(
          (
            await post(cairn.url, 'mutation($m: String!) { registerModelVersion(input: { model: $m }) { id } }', {
              m: `bench-deploy-${i}`,
            })
          ).registerModelVersion.id,
        );
      const id = (
        await post(cairn.url, 'mutation($n: String!) { createEndpoint(input: { name: $n }) { id } }', {
          n: `bench-endpoint-${i}`,
        })
      ).createEndpoint.id;
      const a = (
        await post(cairn.url, DEPLOY, {
          input: {
            endpointId: id,
            modelVersionId: versions[0],
            strategy: 'RECREATE',
            modelServerUrl: 'http://127.0.0.1:9/',
          },
        })
      ).deployModelVersion.id;
      const b = (
        await post(cairn.url, DEPLOY, {
          input: {
            endpointId: id,
            modelVersionId: versions[1],
            strategy: 'AB_TEST',
            trafficPercent: 10,
            modelServerUrl: 'http://127.0.0.1:9/',
          },
        })
      ).deployModelVersion.id;
      endpoints.push({ id, a, b });
    }
    const [first] = endpoints as [(typeof endpoints)[0]];
    let flip = 0;
    const setSplit = await latency(() => {
      const p = flip++ % 2 ? 90 : 80;
      return post(cairn.url, SET_SPLIT, {
        input: {
          endpointId: first.id,
          split: [
            { deploymentId: first.a, percent: p },
            { deploymentId: first.b, percent: 100 - p },
          ],
        },
      });
    });
    const read = await latency(() => post(cairn.url, READ, { id: first.id }));

    // One canary check while the step bakes: figures from the owner, the analysis recorded, the next check queued.
    const canaryVersion = (
      await post(cairn.url, 'mutation { registerModelVersion(input: { model: "bench-canary" }) { id } }')
    ).registerModelVersion.id;
    await post(cairn.url, DEPLOY, {
      input: {
        endpointId: first.id,
        modelVersionId: canaryVersion,
        strategy: 'CANARY',
        modelServerUrl: 'http://127.0.0.1:9/',
        rollout: { bakeSeconds: 86_400, maxErrorRate: 0.05 },
      },
    });
    const { id: rolloutId } = await cairn.db.rollout.findFirstOrThrow({
      where: { endpointId: first.id, status: 'IN_PROGRESS' },
    });
    const check = await latency(() => cairn.services.deployments.rollouts.evaluate(rolloutId));

    // Concurrent clients: half on endpoints of their own, half racing on one shared endpoint.
    const shared = endpoints[CLIENTS]!;
    const before = await cairn.db.trafficChange.count({ where: { endpointId: shared.id } });
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const target = c % 2 ? shared : endpoints[c]!;
        for (let i = 0; i < CHANGES_PER_CLIENT; i++) {
          const p = 1 + ((c * 7 + i * 13) % 98);
          await post(cairn.url, SET_SPLIT, {
            input: {
              endpointId: target.id,
              split: [
                { deploymentId: target.a, percent: p },
                { deploymentId: target.b, percent: 100 - p },
              ],
            },
          });
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    const racing = Math.floor(CLIENTS / 2) * CHANGES_PER_CLIENT;
    const history = await cairn.db.trafficChange.findMany({
      where: { endpointId: shared.id },
      orderBy: { id: 'desc' },
      take: 1,
    });
    const rows = await cairn.db.deployment.findMany({ where: { endpointId: shared.id, trafficPercent: { gt: 0 } } });
    const last = history[0]!.live as { deploymentId: string; percent: number }[];
    const agrees =
      rows.length === last.length &&
      last.every((share) => rows.find((r) => r.id === share.deploymentId)?.trafficPercent === share.percent);
    const changes = await cairn.db.trafficChange.findMany({
      where: { endpointId: shared.id },
      orderBy: { id: 'asc' },
      skip: before,
    });
    const sums = changes.every(
      (change) => (change.live as { percent: number }[]).reduce((acc, share) => acc + share.percent, 0) === 100,
    );
    return {
      setTrafficSplitThroughGateway: setSplit,
      endpointReadThroughGateway: read,
      canaryCheckInProcess: check,
      concurrentTrafficChanges: {
        clients: CLIENTS,
        changes: CLIENTS * CHANGES_PER_CLIENT,
        changesPerSecond: round((CLIENTS * CHANGES_PER_CLIENT) / seconds),
        racingOnOneEndpoint: racing,
        recordedOnSharedEndpoint: changes.length,
        // Every recorded split sums to 100 and the catalog holds the last one (a repeat of the split in force records nothing).
        everyRecordedSplitSums100: sums,
        catalogMatchesLastChange: agrees,
      },
    };
  } finally {
    await cairn.close();
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchDeployments(), null, 2));
}
