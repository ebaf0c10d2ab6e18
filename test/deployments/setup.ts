/**
 * What the deployments tests share: one Cairn per test file with a clock the tests move forward and
 * deployment figures they decide, and the GraphQL helpers to register versions, create endpoints,
 * deploy and read endpoints and rollouts back. Each test file calls `useDeploymentsCairn()` once.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { DeploymentStats, DeploymentStatsSource } from '../../adapters/core/deployment.ts';
import { startTestCairn, type TestCairn } from '../testkit.ts';

/** Figures the test decides, standing in for the inference router's recorder. */
class ControlledStats implements DeploymentStatsSource {
  readonly figures = new Map<string, DeploymentStats>();
  statsSince(ids: string[]) {
    return new Map(ids.map((id) => [id, this.figures.get(id) ?? { requests: 0, errors: 0, latencyP99Ms: null }]));
  }
}

export const SERVER = 'http://127.0.0.1:9/';

const FIGURES = 'requests errors errorRate latencyP99Ms';
/** Every field of a rollout's analysis. */
export const ANALYSIS = `lastAnalysis { at verdict reasons since step percent canary { ${FIGURES} } baseline { ${FIGURES} }
  shadow { ${FIGURES} } live { ${FIGURES} } errorRateDelta latencyP99DeltaMs }`;

const ENDPOINT_FIELDS = `id name status owner provider { name }
  trafficSplit { deployment { id } percent shadow }
  stableDeployment { id }
  activeRollout { id status strategy stepIndex currentPercent steps ${ANALYSIS} reason }
  deployments(first: 500) { nodes { id status strategy trafficPercent shadowPercent retiredAt modelVersion { id } } }
  trafficHistory(first: 100) { nodes { id reason actor rolloutId live { deployment { id } percent } shadow { deployment { id } percent } } }`;

const ROLLOUT_FIELDS = `id status strategy stepIndex steps currentPercent thresholds { bakeSeconds maxErrorRate maxLatencyP99Ms minRequests } ${ANALYSIS} reason finishedAt
  endpoint { name } deployment { id trafficPercent } baselineDeployment { id }`;

export let cairn: TestCairn;
export const stats = new ControlledStats();
let offsetMs = 0;
/** Now, moved forward by the tests (bake times pass without waiting). */
export const clock = () => new Date(Date.now() + offsetMs);
export const later = (seconds: number) => {
  offsetMs += seconds * 1000;
};
const versions: Record<string, string[]> = {};

export const ok = <T = any>(query: string, variables?: Record<string, unknown>) => cairn.data<T>(query, variables);

export async function refused(query: string, variables: Record<string, unknown>) {
  const answer = await cairn.query(query, variables);
  expect(answer.errors, 'expected an error').toBeDefined();
  return answer.errors![0]!;
}

/** Registers `count` versions of `model`; answers their IDs, oldest first. */
export async function registerVersions(model: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = await ok(
      `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`,
      {
        input: { model, artifactUri: `s3://models/${model}/${i + 1}`, metrics: { rmse: 3 - i / 10 } },
      },
    );
    ids.push(data.registerModelVersion.id);
  }
  versions[model] = ids;
  return ids;
}

export async function createEndpoint(name: string): Promise<string> {
  return (
    await ok(`mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }`, {
      input: { name, owner: 'ml-platform' },
    })
  ).createEndpoint.id;
}

export async function deploy(
  input: Record<string, unknown>,
): Promise<{ id: string; trafficPercent: number; shadowPercent: number; status: string }> {
  return (
    await ok(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id trafficPercent shadowPercent status modelServerUrl } }`,
      {
        input: { modelServerUrl: SERVER, ...input },
      },
    )
  ).deployModelVersion;
}

/** An endpoint with its deployments and traffic history as plain lists (their connections' nodes). */
export async function endpoint(id: string) {
  const { endpoint } = await ok(`query($id: ID!) { endpoint(id: $id) { ${ENDPOINT_FIELDS} } }`, { id });
  return (
    endpoint && { ...endpoint, deployments: endpoint.deployments.nodes, trafficHistory: endpoint.trafficHistory.nodes }
  );
}

export async function rollout(id: string) {
  return (await ok(`query($id: ID!) { rollout(id: $id) { ${ROLLOUT_FIELDS} } }`, { id })).rollout;
}

/** The live split as { deploymentId: percent }. */
export function live(ep: { trafficSplit: { deployment: { id: string }; percent: number; shadow: boolean }[] }) {
  return Object.fromEntries(ep.trafficSplit.filter((s) => !s.shadow).map((s) => [s.deployment.id, s.percent]));
}

export function shadow(ep: { trafficSplit: { deployment: { id: string }; percent: number; shadow: boolean }[] }) {
  return Object.fromEntries(ep.trafficSplit.filter((s) => s.shadow).map((s) => [s.deployment.id, s.percent]));
}

export const SET_SPLIT = `mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { id trafficSplit { deployment { id } percent shadow } } }`;
export const ROLLBACK = `mutation($id: ID!) { rollbackEndpoint(input: { endpointId: $id }) { id trafficSplit { deployment { id } percent shadow } stableDeployment { id } } }`;

/** An endpoint serving v1 of `model` (RECREATE), with a canary of v2 started by `plan`. */
export async function canaryEndpoint(name: string, model: string, plan: Record<string, unknown>) {
  const [v1, v2] = await registerVersions(model, 2);
  const endpointId = await createEndpoint(name);
  const blue = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
  const canary = await deploy({ endpointId, modelVersionId: v2, strategy: 'CANARY', rollout: plan });
  const ep = await endpoint(endpointId);
  return { endpointId, blue: blue.id, canary: canary.id, rolloutId: ep.activeRollout.id as string, v1: v1!, v2: v2! };
}

/** Starts this file's Cairn before its tests (rollout checks every 0.2 s) and closes it after. */
export function useDeploymentsCairn(): void {
  beforeAll(async () => {
    cairn = await startTestCairn({ CAIRN_ROLLOUT_POLL_SECONDS: '0.2' }, { clock, deploymentStats: stats });
  });

  afterAll(async () => {
    await cairn?.close();
  });
}

/** Restarts this file's Cairn on the same database (an ES module's importers cannot assign its `cairn`). */
export async function restartCairn(): Promise<TestCairn> {
  cairn = await cairn.restart();
  return cairn;
}
