/** Rollouts: canaries judged by their figures, the durable rollout job, blue/green, shadow, A/B. */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../testkit.ts';
import {
  cairn,
  canaryEndpoint,
  createEndpoint,
  deploy,
  endpoint,
  later,
  live,
  ok,
  refused,
  registerVersions,
  restartCairn,
  ROLLBACK,
  rollout,
  SERVER,
  SET_SPLIT,
  shadow,
  stats,
  useDeploymentsCairn,
} from './setup.ts';

useDeploymentsCairn();

describe('rollouts', () => {
  it('a failing canary is rolled back by itself, with the reason', async () => {
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('failing-canary', 'failing-model', {
      bakeSeconds: 300,
      maxErrorRate: 0.05,
      maxLatencyP99Ms: 500,
      minRequests: 20,
    });
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
    expect(view.reason).toMatch(
      /^automatic rollback at step 1 \(10%\): error rate 0\.15 above 0\.05 \(12 errors in 80 requests\)/,
    );
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
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('healthy-canary', 'healthy-model', {
      steps: [10, 50, 100],
      bakeSeconds: 300,
      maxErrorRate: 0.05,
      minRequests: 10,
    });
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
    expect(ep.trafficHistory.map((c: { reason: string }) => c.reason)).toEqual([
      'ROLLOUT_STEP',
      'ROLLOUT_STEP',
      'DEPLOY',
      'DEPLOY',
    ]);
    expect(await rollout(rolloutId)).toMatchObject({
      status: 'SUCCEEDED',
      stepIndex: 2,
      currentPercent: 100,
      reason: 'all 3 steps passed',
    });
    // A rollback now returns to the canary, the stable deployment.
    expect(live((await ok(ROLLBACK, { id: endpointId })).rollbackEndpoint)).toEqual({ [canary]: 100 });
  });

  it('the durable rollout job advances a canary by itself, across a restart of Cairn', async () => {
    const { endpointId, canary, rolloutId } = await canaryEndpoint('durable-canary', 'durable-model', {
      steps: [20, 100],
      bakeSeconds: 2,
    });
    await restartCairn();
    const done = await waitFor(
      async () => {
        const r = await rollout(rolloutId);
        return r.status === 'IN_PROGRESS' ? undefined : r;
      },
      { timeoutMs: 20_000, what: 'the rollout job to finish the canary' },
    );
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
    expect(ep.deployments.find((d: { id: string }) => d.id === blue.id)).toMatchObject({
      status: 'ACTIVE',
      trafficPercent: 0,
    });
    await ok(SET_SPLIT, { input: { endpointId, split: [{ deploymentId: blue.id, percent: 100 }] } });
    expect(live(await endpoint(endpointId))).toEqual({ [blue.id]: 100 });
  });

  it('shadow: mirrored traffic is never in the live split; the rollout compares shadow with live', async () => {
    const [v1, v2] = await registerVersions('shadow-model', 2);
    const endpointId = await createEndpoint('shadow-endpoint');
    const main = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const mirror = await deploy({
      endpointId,
      modelVersionId: v2,
      strategy: 'SHADOW',
      trafficPercent: 30,
      rollout: { maxErrorRate: 0.1, minRequests: 10 },
    });
    expect(mirror).toMatchObject({ trafficPercent: 0, shadowPercent: 30 });
    let ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [main.id]: 100 });
    expect(shadow(ep)).toEqual({ [mirror.id]: 30 });
    expect(ep.trafficHistory[0]).toMatchObject({
      reason: 'DEPLOY',
      live: [{ deployment: { id: main.id }, percent: 100 }],
      shadow: [{ deployment: { id: mirror.id }, percent: 30 }],
    });
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
    const both = await refused(SET_SPLIT, {
      input: {
        endpointId,
        split: [{ deploymentId: mirror.id, percent: 100 }],
        shadow: [{ deploymentId: mirror.id, percent: 30 }],
      },
    });
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
    const refusedPercent = await refused(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`,
      {
        input: {
          endpointId,
          modelVersionId: v2,
          strategy: 'AB_TEST',
          trafficPercent: 100,
          modelServerUrl: SERVER,
          rollout: { bakeSeconds: 1 },
        },
      },
    );
    expect(refusedPercent.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      'input.rollout',
      'input.trafficPercent',
    ]);
  });

  it('a deployment while a rollout is in progress is a CONFLICT', async () => {
    const { endpointId, v2 } = await canaryEndpoint('busy-endpoint', 'busy-model', { bakeSeconds: 600 });
    const error = await refused(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`,
      {
        input: { endpointId, modelVersionId: v2, strategy: 'RECREATE', modelServerUrl: SERVER },
      },
    );
    expect(error.extensions!.code).toBe('CONFLICT');
  });
});
