/** Traffic splits: canary shares, invalid and concurrent splits, rollback. */
import { describe, expect, it } from 'vitest';
import {
  cairn,
  canaryEndpoint,
  createEndpoint,
  deploy,
  endpoint,
  live,
  ok,
  refused,
  registerVersions,
  ROLLBACK,
  rollout,
  SET_SPLIT,
  useDeploymentsCairn,
} from './setup.ts';

useDeploymentsCairn();

describe('traffic splits', () => {
  it('a canary takes 10% of live traffic and the stable deployment 90%', async () => {
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('canary-split', 'canary-split-model', {
      steps: [10, 50, 100],
      bakeSeconds: 600,
    });
    const ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [blue]: 90, [canary]: 10 });
    expect(ep.stableDeployment).toEqual({ id: blue });
    expect(ep.activeRollout).toMatchObject({
      id: rolloutId,
      status: 'IN_PROGRESS',
      strategy: 'CANARY',
      stepIndex: 0,
      currentPercent: 10,
      steps: [10, 50, 100],
    });
    expect(ep.trafficHistory[0]).toMatchObject({ reason: 'DEPLOY', rolloutId });
    const r = await rollout(rolloutId);
    expect(r).toMatchObject({
      baselineDeployment: { id: blue },
      deployment: { id: canary, trafficPercent: 10 },
      thresholds: { bakeSeconds: 600 },
    });
    const rows = await cairn.db.deployment.findMany({ where: { endpointId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((d) => [d.id, d.trafficPercent])).toEqual([
      [blue, 90],
      [canary, 10],
    ]);
  });

  it('refuses an invalid split with every problem listed, and changes nothing', async () => {
    const { endpointId, blue, canary } = await canaryEndpoint('invalid-split', 'invalid-split-model', {
      bakeSeconds: 600,
    });
    const before = await endpoint(endpointId);
    const error = await refused(SET_SPLIT, {
      input: {
        endpointId,
        split: [
          { deploymentId: blue, percent: 80 },
          { deploymentId: canary, percent: 15 },
          { deploymentId: canary, percent: 0 },
        ],
        shadow: [{ deploymentId: blue, percent: 10 }],
      },
    });
    expect(error.extensions!.code).toBe('BAD_USER_INPUT');
    expect(error.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      'input.shadow.0.deploymentId',
      'input.split',
      'input.split.2.deploymentId',
    ]);
    const stranger = await refused(SET_SPLIT, {
      input: { endpointId, split: [{ deploymentId: 'deployment:builtin:elsewhere/x-v1', percent: 100 }] },
    });
    expect(stranger.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'input.split.0.deploymentId' }],
    });
    const negative = await refused(SET_SPLIT, {
      input: {
        endpointId,
        split: [
          { deploymentId: blue, percent: 110 },
          { deploymentId: canary, percent: -10 },
        ],
      },
    });
    expect(negative.extensions!.code).toBe('BAD_USER_INPUT');
    const missing = await refused(SET_SPLIT, {
      input: { endpointId: 'endpoint:builtin:nowhere', split: [{ deploymentId: blue, percent: 100 }] },
    });
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
    await ok(SET_SPLIT, {
      input: {
        endpointId,
        split: [
          { deploymentId: a.id, percent: 70 },
          { deploymentId: b.id, percent: 30 },
        ],
      },
    });
    ep = await endpoint(endpointId);
    expect(live(ep)).toEqual({ [a.id]: 70, [b.id]: 30 });
    expect(ep.trafficHistory[0]).toMatchObject({ reason: 'SET_SPLIT', actor: 'local' });
    // Retire c (it holds nothing now), then try to give it traffic.
    const conflict = await refused(`mutation($id: ID!) { retireDeployment(input: { deploymentId: $id }) { id } }`, {
      id: a.id,
    });
    expect(conflict.extensions!.code).toBe('CONFLICT');
    // The deprecated form (`deploymentId:` rather than `input:`), kept until it is removed: it still retires.
    const retired = await ok(`mutation($id: ID) { retireDeployment(deploymentId: $id) { status retiredAt } }`, {
      id: c.id,
    });
    expect(retired.retireDeployment.status).toBe('RETIRED');
    expect(retired.retireDeployment.retiredAt).not.toBeNull();
    const error = await refused(SET_SPLIT, {
      input: {
        endpointId,
        split: [
          { deploymentId: a.id, percent: 50 },
          { deploymentId: c.id, percent: 50 },
        ],
      },
    });
    expect(error.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      problems: [{ path: 'input.split.1.deploymentId' }],
    });
    expect(error.message).toContain('RETIRED');
    expect(live(await endpoint(endpointId))).toEqual({ [a.id]: 70, [b.id]: 30 });
  });

  it('two concurrent changes of one endpoint do not interleave: the last one recorded is the one in force', async () => {
    const [v1, v2] = await registerVersions('race-model', 2);
    const endpointId = await createEndpoint('race-endpoint');
    const a = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const b = await deploy({ endpointId, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 50 });
    const splits = [20, 40, 60, 80].map((p) => [
      { deploymentId: a.id, percent: p },
      { deploymentId: b.id, percent: 100 - p },
    ]);
    const answers = await Promise.all(splits.map((split) => cairn.query(SET_SPLIT, { input: { endpointId, split } })));
    expect(answers.every((answer) => !answer.errors)).toBe(true);
    const ep = await endpoint(endpointId);
    const last = ep.trafficHistory[0];
    expect(ep.trafficHistory.filter((c: { reason: string }) => c.reason === 'SET_SPLIT')).toHaveLength(4);
    expect(live(ep)).toEqual(
      Object.fromEntries(
        last.live.map((s: { deployment: { id: string }; percent: number }) => [s.deployment.id, s.percent]),
      ),
    );
    expect(Object.values(live(ep)).reduce((x, y) => x + y, 0)).toBe(100);
  });

  it('concurrent A/B deployments on one endpoint each see the split the one before left: no share is lost', async () => {
    const ids = await registerVersions('ab-race-model', 4);
    const endpointId = await createEndpoint('ab-race-endpoint');
    const a = await deploy({ endpointId, modelVersionId: ids[0], strategy: 'RECREATE' });
    const others = await Promise.all(
      ids
        .slice(1)
        .map((modelVersionId) => deploy({ endpointId, modelVersionId, strategy: 'AB_TEST', trafficPercent: 10 })),
    );
    const split = live(await endpoint(endpointId));
    expect(Object.keys(split).sort()).toEqual([a.id, ...others.map((d) => d.id)].sort());
    expect(Object.values(split).reduce((x, y) => x + y, 0)).toBe(100);
    // The last one in took exactly its 10%.
    const history = (await endpoint(endpointId)).trafficHistory;
    expect(history.map((c: { live: unknown[] }) => c.live.length)).toEqual([4, 3, 2, 1]);
  });

  it('rollback returns all live traffic to the stable deployment and ends the rollout', async () => {
    const { endpointId, blue, canary, rolloutId } = await canaryEndpoint('rollback-endpoint', 'rollback-model', {
      bakeSeconds: 600,
    });
    const answer = await ok(ROLLBACK, { id: endpointId });
    expect(live(answer.rollbackEndpoint)).toEqual({ [blue]: 100 });
    expect(answer.rollbackEndpoint.stableDeployment).toEqual({ id: blue });
    const ep = await endpoint(endpointId);
    expect(ep.activeRollout).toBeNull();
    expect(ep.deployments.find((d: { id: string }) => d.id === canary)).toMatchObject({
      status: 'ACTIVE',
      trafficPercent: 0,
    });
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
