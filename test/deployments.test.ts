import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentStats, DeploymentStatsSource } from '../adapters/core/deployment.ts';
import { startTestCairn, waitFor, type TestCairn } from './testkit.ts';

/** Figures the test decides, standing in for the inference router's recorder. */
class ControlledStats implements DeploymentStatsSource {
  readonly figures = new Map<string, DeploymentStats>();
  statsSince(ids: string[]) {
    return new Map(ids.map((id) => [id, this.figures.get(id) ?? { requests: 0, errors: 0, latencyP99Ms: null }]));
  }
}

const SERVER = 'http://127.0.0.1:9/';

const ENDPOINT_FIELDS = `id name status owner provider { name }
  trafficSplit { deployment { id } percent shadow }
  stableDeployment { id }
  activeRollout { id status strategy stepIndex currentPercent steps lastAnalysis reason }
  deployments { id status strategy trafficPercent shadowPercent retiredAt modelVersion { id } }
  trafficHistory(first: 100) { id reason actor rolloutId live { deployment { id } percent } shadow { deployment { id } percent } }`;

const ROLLOUT_FIELDS = `id status strategy stepIndex steps currentPercent bakeSeconds maxErrorRate minRequests lastAnalysis reason finishedAt
  endpoint { name } deployment { id trafficPercent } baselineDeployment { id }`;

let cairn: TestCairn;
const stats = new ControlledStats();
let offsetMs = 0;
/** Now, moved forward by the tests (bake times pass without waiting). */
const clock = () => new Date(Date.now() + offsetMs);
const later = (seconds: number) => {
  offsetMs += seconds * 1000;
};
const versions: Record<string, string[]> = {};

const ok = <T = any>(query: string, variables?: Record<string, unknown>) => cairn.data<T>(query, variables);

async function refused(query: string, variables: Record<string, unknown>) {
  const answer = await cairn.query(query, variables);
  expect(answer.errors, 'expected an error').toBeDefined();
  return answer.errors![0]!;
}

/** Registers `count` versions of `model`; answers their IDs, oldest first. */
async function registerVersions(model: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = await ok(`mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`, {
      input: { model, artifactUri: `s3://models/${model}/${i + 1}`, metrics: { rmse: 3 - i / 10 } },
    });
    ids.push(data.registerModelVersion.id);
  }
  versions[model] = ids;
  return ids;
}

async function createEndpoint(name: string): Promise<string> {
  return (await ok(`mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }`, { input: { name, owner: 'ml-platform' } })).createEndpoint.id;
}

async function deploy(input: Record<string, unknown>): Promise<{ id: string; trafficPercent: number; shadowPercent: number; status: string }> {
  return (
    await ok(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id trafficPercent shadowPercent status modelServerUrl } }`, {
      input: { modelServerUrl: SERVER, ...input },
    })
  ).deployModelVersion;
}

async function endpoint(id: string) {
  return (await ok(`query($id: ID!) { endpoint(id: $id) { ${ENDPOINT_FIELDS} } }`, { id })).endpoint;
}

async function rollout(id: string) {
  return (await ok(`query($id: ID!) { rollout(id: $id) { ${ROLLOUT_FIELDS} } }`, { id })).rollout;
}

/** The live split as { deploymentId: percent }. */
function live(ep: { trafficSplit: { deployment: { id: string }; percent: number; shadow: boolean }[] }) {
  return Object.fromEntries(ep.trafficSplit.filter((s) => !s.shadow).map((s) => [s.deployment.id, s.percent]));
}

function shadow(ep: { trafficSplit: { deployment: { id: string }; percent: number; shadow: boolean }[] }) {
  return Object.fromEntries(ep.trafficSplit.filter((s) => s.shadow).map((s) => [s.deployment.id, s.percent]));
}

const SET_SPLIT = `mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { id trafficSplit { deployment { id } percent shadow } } }`;
const ROLLBACK = `mutation($id: ID!) { rollbackEndpoint(endpointId: $id) { id trafficSplit { deployment { id } percent shadow } stableDeployment { id } } }`;

/** An endpoint serving v1 of `model` (RECREATE), with a canary of v2 started by `plan`. */
async function canaryEndpoint(name: string, model: string, plan: Record<string, unknown>) {
  const [v1, v2] = await registerVersions(model, 2);
  const endpointId = await createEndpoint(name);
  const blue = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
  const canary = await deploy({ endpointId, modelVersionId: v2, strategy: 'CANARY', rollout: plan });
  const ep = await endpoint(endpointId);
  return { endpointId, blue: blue.id, canary: canary.id, rolloutId: ep.activeRollout.id as string, v1: v1!, v2: v2! };
}

beforeAll(async () => {
  cairn = await startTestCairn({ CAIRN_ROLLOUT_POLL_SECONDS: '0.2' }, { clock, deploymentStats: stats });
});

afterAll(async () => {
  await cairn?.close();
});

describe('endpoints and deployments', () => {
  it('creates an endpoint, deploys its first version with all live traffic, and records the change', async () => {
    const [v1] = await registerVersions('first-model', 1);
    const endpointId = await createEndpoint('first-endpoint');
    expect(endpointId).toBe('endpoint:builtin:first-endpoint');
    const deployment = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE', featureView: 'driver_stats', entityKeyField: 'driver_id' });
    expect(deployment).toMatchObject({ id: 'deployment:builtin:first-endpoint/first-model-v1', trafficPercent: 100, status: 'ACTIVE' });
    const ep = await endpoint(endpointId);
    expect(ep).toMatchObject({ name: 'first-endpoint', status: 'IN_SERVICE', owner: 'ml-platform', provider: { name: 'builtin' }, stableDeployment: { id: deployment.id }, activeRollout: null });
    expect(live(ep)).toEqual({ [deployment.id]: 100 });
    expect(ep.trafficHistory).toHaveLength(1);
    expect(ep.trafficHistory[0]).toMatchObject({ reason: 'DEPLOY', actor: 'local', live: [{ deployment: { id: deployment.id }, percent: 100 }], shadow: [] });
    // What the inference router reads: the catalog row of the deployment.
    const row = await cairn.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
    expect(row).toMatchObject({ status: 'ACTIVE', trafficPercent: 100, shadowPercent: 0, modelServerUrl: SERVER, featureView: 'driver_stats', entityKeyField: 'driver_id' });
    // The version knows its deployments across subgraphs.
    const version = await ok(`query($id: ID!) { modelVersion(id: $id) { deployments { id endpoint { name } } } }`, { id: v1 });
    expect(version.modelVersion.deployments).toEqual([{ id: deployment.id, endpoint: { name: 'first-endpoint' } }]);
  });

  it('refuses a second endpoint of the same name, a bad name, and a built-in deployment without a model server URL', async () => {
    await createEndpoint('dup-endpoint');
    const dup = await refused(`mutation { createEndpoint(input: { name: "dup-endpoint" }) { id } }`, {});
    expect(dup.extensions!.code).toBe('CONFLICT');
    const bad = await refused(`mutation { createEndpoint(input: { name: "no spaces/", provider: "nowhere" }) { id } }`, {});
    expect(bad.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual(['input.name', 'input.provider']);
    const [v1] = await registerVersions('url-model', 1);
    const noUrl = await refused(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
      input: { endpointId: 'endpoint:builtin:dup-endpoint', modelVersionId: v1, strategy: 'RECREATE' },
    });
    expect(noUrl.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.modelServerUrl' }] });
    expect(await cairn.db.deployment.count({ where: { endpointId: 'endpoint:builtin:dup-endpoint' } })).toBe(0);
  });

  it('lists endpoints in pages', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await createEndpoint(name);
    const all = (await ok(`{ endpoints(provider: "builtin", first: 500) { name } }`)).endpoints.map((e: { name: string }) => e.name);
    const pages = [];
    for (let offset = 0; offset < all.length; offset += 2) {
      pages.push(...(await ok(`query($o: Int!) { endpoints(provider: "builtin", first: 2, offset: $o) { name } }`, { o: offset })).endpoints.map((e: { name: string }) => e.name));
    }
    expect(pages).toEqual(all);
    expect(all).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
    expect(all).toEqual([...all].sort());
    expect((await refused(`{ endpoints(first: 0) { name } }`, {})).extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('pages the traffic history, newest first', async () => {
    const [v1, v2] = await registerVersions('history-model', 2);
    const endpointId = await createEndpoint('history-endpoint');
    const a = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const b = await deploy({ endpointId, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 50 });
    for (const p of [10, 20, 30]) await ok(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: a.id, percent: 100 - p }, { deploymentId: b.id, percent: p }] } });
    const PAGE = `query($id: ID!, $before: ID) { endpoint(id: $id) { trafficHistory(first: 2, before: $before) { id reason live { deployment { id } percent } } } }`;
    const seen: { id: string; reason: string }[] = [];
    let before: string | null = null;
    for (;;) {
      const page: { id: string; reason: string }[] = (await ok(PAGE, { id: endpointId, before })).endpoint.trafficHistory;
      if (page.length === 0) break;
      seen.push(...page);
      before = page[page.length - 1]!.id;
    }
    expect(seen.map((c) => c.reason)).toEqual(['SET_SPLIT', 'SET_SPLIT', 'SET_SPLIT', 'DEPLOY', 'DEPLOY']);
    expect(seen.map((c) => BigInt(c.id))).toEqual([...seen.map((c) => BigInt(c.id))].sort((x, y) => (x > y ? -1 : 1)));
    expect((await refused(PAGE, { id: endpointId, before: 'x' })).extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('refuses to deploy an ARCHIVED version, changing nothing', async () => {
    const [v1, v2] = await registerVersions('archived-model', 2);
    const endpointId = await createEndpoint('archived-endpoint');
    await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: ARCHIVED }) { applied } }`, { id: v2 });
    const before = await endpoint(endpointId);
    const error = await refused(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
      input: { endpointId, modelVersionId: v2, strategy: 'CANARY', modelServerUrl: SERVER },
    });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.modelVersionId' }] });
    expect(error.message).toContain('ARCHIVED');
    expect(await endpoint(endpointId)).toEqual(before);
  });
});

describe('traffic splits', () => {
  it('a canary takes 10% of live traffic and the stable deployment 90%', async () => {
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('canary-split', 'canary-split-model', { steps: [10, 50, 100], bakeSeconds: 600 });
    const ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [blue]: 90, [canary]: 10 });
    expect(ep.stableDeployment).toEqual({ id: blue });
    expect(ep.activeRollout).toMatchObject({ id: rolloutId, status: 'IN_PROGRESS', strategy: 'CANARY', stepIndex: 0, currentPercent: 10, steps: [10, 50, 100] });
    expect(ep.trafficHistory[0]).toMatchObject({ reason: 'DEPLOY', rolloutId });
    const r = await rollout(rolloutId);
    expect(r).toMatchObject({ baselineDeployment: { id: blue }, deployment: { id: canary, trafficPercent: 10 }, bakeSeconds: 600 });
    const rows = await cairn.db.deployment.findMany({ where: { endpointId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((d) => [d.id, d.trafficPercent])).toEqual([[blue, 90], [canary, 10]]);
  });

  it('refuses an invalid split with every problem listed, and changes nothing', async () => {
    const { endpointId, blue, canary } = await canaryEndpoint('invalid-split', 'invalid-split-model', { bakeSeconds: 600 });
    const before = await endpoint(endpointId);
    const error = await refused(SET_SPLIT, {
      input: {
        endpointId,
        split: [{ deploymentId: blue, percent: 80 }, { deploymentId: canary, percent: 15 }, { deploymentId: canary, percent: 0 }],
        shadow: [{ deploymentId: blue, percent: 10 }],
      },
    });
    expect(error.extensions!.code).toBe('BAD_USER_INPUT');
    expect(error.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual(['input.shadow.0.deploymentId', 'input.split', 'input.split.2.deploymentId']);
    const stranger = await refused(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: 'deployment:builtin:elsewhere/x-v1', percent: 100 }] } });
    expect(stranger.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.split.0.deploymentId' }] });
    const negative = await refused(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: blue, percent: 110 }, { deploymentId: canary, percent: -10 }] } });
    expect(negative.extensions!.code).toBe('BAD_USER_INPUT');
    const missing = await refused(SET_SPLIT, { input: { endpointId: 'endpoint:builtin:nowhere', split: [{ deploymentId: blue, percent: 100 }] } });
    expect(missing.extensions!.code).toBe('NOT_FOUND');
    // Same split, same history, same rollout.
    expect(await endpoint(endpointId)).toEqual(before);
  });

  it('sets a valid split, records it, and never lets a retired deployment take traffic', async () => {
    const [v1, v2, v3] = await registerVersions('split-model', 3);
    const endpointId = await createEndpoint('split-endpoint');
    const a = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const b = await deploy({ endpointId, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 40 });
    const c = await deploy({ endpointId, modelVersionId: v3, strategy: 'AB_TEST', trafficPercent: 20 });
    let ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [a.id]: 48, [b.id]: 32, [c.id]: 20 });
    await ok(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: a.id, percent: 70 }, { deploymentId: b.id, percent: 30 }] } });
    ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [a.id]: 70, [b.id]: 30 });
    expect(ep.trafficHistory[0]).toMatchObject({ reason: 'SET_SPLIT', actor: 'local' });
    // Retire c (it holds nothing now), then try to give it traffic.
    const conflict = await refused(`mutation($id: ID!) { retireDeployment(deploymentId: $id) { id } }`, { id: a.id });
    expect(conflict.extensions!.code).toBe('CONFLICT');
    const retired = await ok(`mutation($id: ID!) { retireDeployment(deploymentId: $id) { status retiredAt } }`, { id: c.id });
    expect(retired.retireDeployment.status).toBe('RETIRED');
    expect(retired.retireDeployment.retiredAt).not.toBeNull();
    const error = await refused(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: a.id, percent: 50 }, { deploymentId: c.id, percent: 50 }] } });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.split.1.deploymentId' }] });
    expect(error.message).toContain('RETIRED');
    expect(live(await endpoint(endpointId))).toEqual({ [a.id]: 70, [b.id]: 30 });
  });

  it('two concurrent changes of one endpoint do not interleave: the last one recorded is the one in force', async () => {
    const [v1, v2] = await registerVersions('race-model', 2);
    const endpointId = await createEndpoint('race-endpoint');
    const a = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const b = await deploy({ endpointId, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 50 });
    const splits = [20, 40, 60, 80].map((p) => [{ deploymentId: a.id, percent: p }, { deploymentId: b.id, percent: 100 - p }]);
    const answers = await Promise.all(splits.map((split) => cairn.query(SET_SPLIT, { input: { endpointId, split } })));
    expect(answers.every((answer) => !answer.errors)).toBe(true);
    const ep = await endpoint(endpointId);
    const last = ep.trafficHistory[0];
    expect(ep.trafficHistory.filter((c: { reason: string }) => c.reason === 'SET_SPLIT')).toHaveLength(4);
    expect(live(ep)).toEqual(Object.fromEntries(last.live.map((s: { deployment: { id: string }; percent: number }) => [s.deployment.id, s.percent])));
    expect(Object.values(live(ep)).reduce((x, y) => x + y, 0)).toBe(100);
  });

  it('concurrent A/B deployments on one endpoint each see the split the one before left: no share is lost', async () => {
    const ids = await registerVersions('ab-race-model', 4);
    const endpointId = await createEndpoint('ab-race-endpoint');
    const a = await deploy({ endpointId, modelVersionId: ids[0], strategy: 'RECREATE' });
    const others = await Promise.all(ids.slice(1).map((modelVersionId) => deploy({ endpointId, modelVersionId, strategy: 'AB_TEST', trafficPercent: 10 })));
    const split = live(await endpoint(endpointId));
    expect(Object.keys(split).sort()).toEqual([a.id, ...others.map((d) => d.id)].sort());
    expect(Object.values(split).reduce((x, y) => x + y, 0)).toBe(100);
    // The last one in took exactly its 10%.
    const history = (await endpoint(endpointId)).trafficHistory;
    expect(history.map((c: { live: unknown[] }) => c.live.length)).toEqual([4, 3, 2, 1]);
  });

  it('rollback returns all live traffic to the stable deployment and ends the rollout', async () => {
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('rollback-endpoint', 'rollback-model', { bakeSeconds: 600 });
    const answer = await ok(ROLLBACK, { id: endpointId });
    expect(live(answer.rollbackEndpoint)).toEqual({ [blue]: 100 });
    expect(answer.rollbackEndpoint.stableDeployment).toEqual({ id: blue });
    const ep = await endpoint(endpointId);
    expect(ep.activeRollout).toBeNull();
    expect(ep.deployments.find((d: { id: string }) => d.id === canary)).toMatchObject({ status: 'ACTIVE', trafficPercent: 0 });
    expect(ep.trafficHistory.map((c: { reason: string }) => c.reason)).toEqual(['ROLLBACK', 'DEPLOY', 'DEPLOY']);
    expect(await rollout(rolloutId)).toMatchObject({ status: 'ROLLED_BACK', reason: 'rolled back by local' });
    // Its job, if it still runs, finds the rollout over and changes nothing.
    expect((await cairn.services.deployments.rollouts.evaluate(rolloutId)).status).toBe('ROLLED_BACK');
    expect(live(await endpoint(endpointId))).toEqual({ [blue]: 100 });
  });

  it('rollback without a stable deployment is a CONFLICT', async () => {
    const endpointId = await createEndpoint('empty-endpoint');
    expect((await refused(ROLLBACK, { id: endpointId })).extensions!.code).toBe('CONFLICT');
  });
});

describe('rollouts', () => {
  it('a failing canary is rolled back by itself, with the reason', async () => {
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('failing-canary', 'failing-model', { bakeSeconds: 300, maxErrorRate: 0.05, maxLatencyP99Ms: 500, minRequests: 20 });
    // Healthy and not yet baked: nothing moves.
    stats.figures.set(canary, { requests: 50, errors: 1, latencyP99Ms: 120 });
    let r = await cairn.services.deployments.rollouts.evaluate(rolloutId);
    expect(r).toMatchObject({ status: 'IN_PROGRESS', stepIndex: 0 });
    expect((r.lastAnalysis as { verdict: string }).verdict).toBe('BAKING');
    // The canary starts failing: rolled back before the bake time is over.
    stats.figures.set(canary, { requests: 80, errors: 12, latencyP99Ms: 140 });
    later(60);
    r = await cairn.services.deployments.rollouts.evaluate(rolloutId);
    expect(r.status).toBe('ROLLED_BACK');
    const view = await rollout(rolloutId);
    expect(view.reason).toMatch(/^automatic rollback at step 1 \(10%\): error rate 0\.15 above 0\.05 \(12 errors in 80 requests\)/);
    expect(view.lastAnalysis).toMatchObject({ verdict: 'FAIL', canary: { requests: 80, errors: 12 } });
    expect(view.finishedAt).not.toBeNull();
    const ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [blue]: 100 });
    expect(ep.activeRollout).toBeNull();
    expect(ep.trafficHistory[0]).toMatchObject({ reason: 'AUTO_ROLLBACK', actor: 'cairn:rollout', rolloutId });
    const audit = await cairn.db.auditEvent.findFirst({ where: { action: 'autoRollback', subjectId: endpointId } });
    expect(audit).not.toBeNull();
  });

  it('a healthy canary advances through every step after each bake time and ends SUCCEEDED, the new stable', async () => {
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('healthy-canary', 'healthy-model', { steps: [10, 50, 100], bakeSeconds: 300, maxErrorRate: 0.05, minRequests: 10 });
    stats.figures.set(canary, { requests: 5, errors: 0, latencyP99Ms: 80 });
    later(301);
    // Baked, but too few requests to judge: it waits.
    let r = await cairn.services.deployments.rollouts.evaluate(rolloutId);
    expect(r).toMatchObject({ status: 'IN_PROGRESS', stepIndex: 0 });
    expect((r.lastAnalysis as { verdict: string }).verdict).toBe('WAITING');
    stats.figures.set(canary, { requests: 100, errors: 1, latencyP99Ms: 80 });
    r = await cairn.services.deployments.rollouts.evaluate(rolloutId);
    expect(r).toMatchObject({ status: 'IN_PROGRESS', stepIndex: 1 });
    expect(live(await endpoint(endpointId))).toEqual({ [blue]: 50, [canary]: 50 });
    // The next step bakes anew.
    expect((await cairn.services.deployments.rollouts.evaluate(rolloutId)).stepIndex).toBe(1);
    later(301);
    r = await cairn.services.deployments.rollouts.evaluate(rolloutId);
    expect(r.status).toBe('SUCCEEDED');
    const ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [canary]: 100 });
    expect(ep.stableDeployment).toEqual({ id: canary });
    expect(ep.trafficHistory.map((c: { reason: string }) => c.reason)).toEqual(['ROLLOUT_STEP', 'ROLLOUT_STEP', 'DEPLOY', 'DEPLOY']);
    expect(await rollout(rolloutId)).toMatchObject({ status: 'SUCCEEDED', stepIndex: 2, currentPercent: 100, reason: 'all 3 steps passed' });
    // A rollback now returns to the canary, the stable deployment.
    expect(live((await ok(ROLLBACK, { id: endpointId })).rollbackEndpoint)).toEqual({ [canary]: 100 });
  });

  it('the durable rollout job advances a canary by itself, across a restart of Cairn', async () => {
    const { endpointId, canary, rolloutId } = await canaryEndpoint('durable-canary', 'durable-model', { steps: [20, 100], bakeSeconds: 2 });
    cairn = await cairn.restart();
    const done = await waitFor(async () => {
      const r = await rollout(rolloutId);
      return r.status === 'IN_PROGRESS' ? undefined : r;
    }, { timeoutMs: 20_000, what: 'the rollout job to finish the canary' });
    expect(done).toMatchObject({ status: 'SUCCEEDED', stepIndex: 1 });
    expect(live(await endpoint(endpointId))).toEqual({ [canary]: 100 });
  });

  it('blue/green: green waits at 0% until switched; blue is kept for an instant switch back', async () => {
    const [v1, v2] = await registerVersions('bg-model', 2);
    const endpointId = await createEndpoint('bg-endpoint');
    const blue = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const green = await deploy({ endpointId, modelVersionId: v2, strategy: 'BLUE_GREEN' });
    expect(green.trafficPercent).toBe(0);
    let ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [blue.id]: 100 });
    const rolloutId = ep.activeRollout.id;
    expect(ep.activeRollout).toMatchObject({ strategy: 'BLUE_GREEN', status: 'IN_PROGRESS' });
    later(3600);
    await cairn.services.deployments.rollouts.evaluate(rolloutId);
    expect(live(await endpoint(endpointId))).toEqual({ [blue.id]: 100 });
    await ok(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: green.id, percent: 100 }] } });
    ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [green.id]: 100 });
    expect(ep.stableDeployment).toEqual({ id: green.id });
    expect(await rollout(rolloutId)).toMatchObject({ status: 'SUCCEEDED', reason: 'switched to 100% by local' });
    expect(ep.deployments.find((d: { id: string }) => d.id === blue.id)).toMatchObject({ status: 'ACTIVE', trafficPercent: 0 });
    await ok(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: blue.id, percent: 100 }] } });
    expect(live(await endpoint(endpointId))).toEqual({ [blue.id]: 100 });
  });

  it('shadow: mirrored traffic is never in the live split; the rollout compares shadow with live', async () => {
    const [v1, v2] = await registerVersions('shadow-model', 2);
    const endpointId = await createEndpoint('shadow-endpoint');
    const main = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const mirror = await deploy({ endpointId, modelVersionId: v2, strategy: 'SHADOW', trafficPercent: 30, rollout: { maxErrorRate: 0.1, minRequests: 10 } });
    expect(mirror).toMatchObject({ trafficPercent: 0, shadowPercent: 30 });
    let ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [main.id]: 100 });
    expect(shadow(ep)).toEqual({ [mirror.id]: 30 });
    expect(ep.trafficHistory[0]).toMatchObject({ reason: 'DEPLOY', live: [{ deployment: { id: main.id }, percent: 100 }], shadow: [{ deployment: { id: mirror.id }, percent: 30 }] });
    stats.figures.set(main.id, { requests: 1000, errors: 10, latencyP99Ms: 100 });
    stats.figures.set(mirror.id, { requests: 300, errors: 60, latencyP99Ms: 90 });
    const r = await cairn.services.deployments.rollouts.evaluate(ep.activeRollout.id);
    expect(r.status).toBe('IN_PROGRESS');
    expect(r.lastAnalysis).toMatchObject({
      verdict: 'WORSE',
      shadow: { requests: 300, errors: 60, errorRate: 0.2 },
      live: { requests: 1000, errors: 10, errorRate: 0.01 },
      errorRateDelta: 0.19,
      latencyP99DeltaMs: -10,
    });
    // A mirror cannot also take live traffic in one split.
    const both = await refused(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: mirror.id, percent: 100 }], shadow: [{ deploymentId: mirror.id, percent: 30 }] } });
    expect(both.extensions!.code).toBe('BAD_USER_INPUT');
    // Changing the live split keeps the mirror when shadow is not given.
    await ok(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: main.id, percent: 100 }] } });
    expect(shadow(await endpoint(endpointId))).toEqual({ [mirror.id]: 30 });
    // Rollback stops the mirror and ends the comparison.
    await ok(ROLLBACK, { id: endpointId });
    ep = await endpoint(endpointId);
    expect(shadow(ep)).toEqual({});
    expect(live(ep)).toEqual({ [main.id]: 100 });
    expect((await rollout(r.id)).status).toBe('ROLLED_BACK');
  });

  it('an A/B split is held until someone changes it', async () => {
    const [v1, v2] = await registerVersions('ab-model', 2);
    const endpointId = await createEndpoint('ab-endpoint');
    const a = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const b = await deploy({ endpointId, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 30 });
    let ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [a.id]: 70, [b.id]: 30 });
    expect(ep.activeRollout).toBeNull();
    stats.figures.set(b.id, { requests: 1000, errors: 900, latencyP99Ms: 5000 });
    later(7 * 86_400);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [a.id]: 70, [b.id]: 30 });
    expect(ep.trafficHistory).toHaveLength(2);
    const refusedPercent = await refused(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
      input: { endpointId, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 100, modelServerUrl: SERVER, rollout: { bakeSeconds: 1 } },
    });
    expect(refusedPercent.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual(['input.rollout', 'input.trafficPercent']);
  });

  it('a deployment while a rollout is in progress is a CONFLICT', async () => {
    const { endpointId, v2 } = await canaryEndpoint('busy-endpoint', 'busy-model', { bakeSeconds: 600 });
    const error = await refused(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
      input: { endpointId, modelVersionId: v2, strategy: 'RECREATE', modelServerUrl: SERVER },
    });
    expect(error.extensions!.code).toBe('CONFLICT');
  });
});

describe('promotion to deployment', () => {
  it('a promotion to PRODUCTION deploys the version by the endpoint\'s rule, once', async () => {
    const [v1, v2, v3] = await registerVersions('ruled-model', 3);
    const endpointId = await createEndpoint('ruled-endpoint');
    const rule = await ok(`mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { model strategy modelServerUrl endpoint { name } } }`, {
      input: { endpointId, model: 'ruled-model', strategy: 'RECREATE', modelServerUrl: 'http://127.0.0.1:9/models/{model}/v{version}' },
    });
    expect(rule.setEndpointDeployRule).toEqual({ model: 'ruled-model', strategy: 'RECREATE', modelServerUrl: 'http://127.0.0.1:9/models/{model}/v{version}', endpoint: { name: 'ruled-endpoint' } });
    const badRule = await refused(`mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { model } }`, {
      input: { endpointId, model: 'ruled-model', strategy: 'SHADOW', modelServerUrl: 'ftp://x', canarySteps: [50, 10] },
    });
    expect(badRule.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual(['input.canarySteps', 'input.canarySteps', 'input.canarySteps', 'input.modelServerUrl', 'input.strategy']);

    // STAGING triggers nothing.
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: STAGING }) { applied } }`, { id: v1 });
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: PRODUCTION }) { applied } }`, { id: v2 });
    const deployed = await waitFor(async () => {
      const ep = await endpoint(endpointId);
      return ep.deployments.length ? ep : undefined;
    }, { what: 'the deploy rule job' });
    const id = 'deployment:builtin:ruled-endpoint/ruled-model-v2';
    expect(live(deployed)).toEqual({ [id]: 100 });
    expect(deployed.deployments).toHaveLength(1);
    expect(deployed.trafficHistory[0]).toMatchObject({ reason: 'PROMOTION_RULE', actor: 'local (deploy rule)' });
    const row = await cairn.db.deployment.findUniqueOrThrow({ where: { id } });
    expect(row.modelServerUrl).toBe('http://127.0.0.1:9/models/ruled-model/v2');
    // A redelivered job deploys nothing more.
    const promotion = await cairn.db.promotion.findFirstOrThrow({ where: { modelVersionId: v2, toStage: 'PRODUCTION' } });
    await cairn.services.deployments.rules.runJob({ promotionId: promotion.id, endpointId, modelVersionId: v2!, modelName: 'ruled-model', modelProvider: 'builtin', actor: 'local' });
    expect(await cairn.db.deployment.count({ where: { endpointId } })).toBe(1);
    // The next production version replaces it; then the rule is removed and a promotion deploys nothing.
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: PRODUCTION }) { applied } }`, { id: v3 });
    const replaced = await waitFor(async () => {
      const ep = await endpoint(endpointId);
      return ep.deployments.length === 2 ? ep : undefined;
    }, { what: 'the second deploy' });
    expect(live(replaced)).toEqual({ 'deployment:builtin:ruled-endpoint/ruled-model-v3': 100 });
    expect(replaced.deployments.find((d: { id: string }) => d.id === id).status).toBe('RETIRED');
    const removed = await ok(`mutation($id: ID!) { removeEndpointDeployRule(endpointId: $id) { deployRule { model } } }`, { id: endpointId });
    expect(removed.removeEndpointDeployRule.deployRule).toBeNull();
  });
});

describe('promotion to a canary', () => {
  it('a CANARY rule starts a canary with the rule\'s plan, which rolls back by itself on a breach', async () => {
    const [v1, v2] = await registerVersions('ruled-canary-model', 2);
    const endpointId = await createEndpoint('ruled-canary-endpoint');
    const blue = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    await ok(`mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { maxErrorRate minRequests canarySteps } }`, {
      input: { endpointId, model: 'ruled-canary-model', strategy: 'CANARY', modelServerUrl: SERVER, canarySteps: [25, 100], bakeSeconds: 120, maxErrorRate: 0.01, minRequests: 50 },
    });
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: PRODUCTION }) { applied } }`, { id: v2 });
    const started = await waitFor(async () => {
      const ep = await endpoint(endpointId);
      return ep.activeRollout ? ep : undefined;
    }, { what: 'the rule to start a canary' });
    const canary = 'deployment:builtin:ruled-canary-endpoint/ruled-canary-model-v2';
    expect(live(started)).toEqual({ [blue.id]: 75, [canary]: 25 });
    expect(await rollout(started.activeRollout.id)).toMatchObject({ steps: [25, 100], bakeSeconds: 120, maxErrorRate: 0.01, minRequests: 50 });
    stats.figures.set(canary, { requests: 60, errors: 3, latencyP99Ms: 30 });
    expect((await cairn.services.deployments.rollouts.evaluate(started.activeRollout.id)).status).toBe('ROLLED_BACK');
    expect(live(await endpoint(endpointId))).toEqual({ [blue.id]: 100 });
  });
});

describe('lineage of deployments', () => {
  it('DEPLOYED_AS and SERVED_BY are written with the deployment and ended, not deleted, when it is retired', async () => {
    const [v1, v2] = await registerVersions('lineage-model', 2);
    const endpointId = await createEndpoint('lineage-endpoint');
    const first = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const LINEAGE = `query($id: ID!, $asOf: DateTime) { lineage(id: $id, direction: BOTH, asOf: $asOf) { nodes { id } edges { from to relation validTo } } }`;
    const before = (await ok(LINEAGE, { id: first.id })).lineage;
    expect(before.edges).toEqual(
      expect.arrayContaining([
        { from: v1, to: first.id, relation: 'DEPLOYED_AS', validTo: null },
        { from: first.id, to: endpointId, relation: 'SERVED_BY', validTo: null },
      ]),
    );
    const beforeRetire = clock().toISOString();
    later(1);
    const second = await deploy({ endpointId, modelVersionId: v2, strategy: 'RECREATE' });
    const edges = await cairn.db.lineageEdge.findMany({ where: { OR: [{ fromId: first.id }, { toId: first.id }] } });
    expect(edges.map((e) => e.relation).sort()).toEqual(['DEPLOYED_AS', 'SERVED_BY']);
    expect(edges.every((e) => e.validTo !== null)).toBe(true);
    // Today's graph has the new deployment; the retired one only in the past.
    const now = (await ok(LINEAGE, { id: endpointId })).lineage;
    expect(now.nodes.map((n: { id: string }) => n.id)).toContain(second.id);
    expect(now.nodes.map((n: { id: string }) => n.id)).not.toContain(first.id);
    const then = (await ok(LINEAGE, { id: endpointId, asOf: beforeRetire })).lineage;
    expect(then.nodes.map((n: { id: string }) => n.id)).toContain(first.id);
    // Impact reads the live share and the status.
    const impact = (await ok(`query($id: ID!) { impact(id: $id) { impactedDeployments { deployment { id } trafficPercent live } } }`, { id: v2 })).impact;
    expect(impact.impactedDeployments).toEqual([{ deployment: { id: second.id }, trafficPercent: 100, live: true }]);
  });
});

describe('demo estate', () => {
  it('seeds eta-predictor-prod serving eta_predictor v1, once however often Cairn starts', async () => {
    let demo = await startTestCairn({ CAIRN_DEMO: 'on' });
    try {
      const QUERY = `{ endpoints { name deployments { id status trafficPercent featureView modelVersion { id } } stableDeployment { id } } }`;
      const first = (await demo.query(QUERY)).data.endpoints;
      expect(first).toEqual([
        {
          name: 'eta-predictor-prod',
          deployments: [{ id: 'deployment:builtin:eta-predictor-prod/eta_predictor-v1', status: 'ACTIVE', trafficPercent: 100, featureView: 'driver_stats', modelVersion: { id: 'modelVersion:builtin:eta_predictor/1' } }],
          stableDeployment: { id: 'deployment:builtin:eta-predictor-prod/eta_predictor-v1' },
        },
      ]);
      demo = await demo.restart();
      expect((await demo.query(QUERY)).data.endpoints).toEqual(first);
      // Its model server is started with the demo (on a new port at each start) and answers through the router.
      const response = await fetch(`${demo.url}/endpoints/eta-predictor-prod/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ driver_id: 'd-1' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-cairn-deployment')).toBe('deployment:builtin:eta-predictor-prod/eta_predictor-v1');
      expect(await response.json()).toEqual({ model: 'eta_predictor', predictions: [12.5] });
    } finally {
      await demo.close();
    }
  });
});
