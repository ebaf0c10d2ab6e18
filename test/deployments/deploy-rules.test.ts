/** Deploy rules: a promotion to PRODUCTION deploys by the endpoint's rule, as a replacement or as a canary. */
import { describe, expect, it } from 'vitest';
import { waitFor } from '../testkit.ts';
import {
  cairn,
  createEndpoint,
  deploy,
  endpoint,
  live,
  ok,
  refused,
  registerVersions,
  rollout,
  SERVER,
  stats,
  useDeploymentsCairn,
} from './setup.ts';

useDeploymentsCairn();

describe('promotion to deployment', () => {
  it("a promotion to PRODUCTION deploys the version by the endpoint's rule, once", async () => {
    const [v1, v2, v3] = await registerVersions('ruled-model', 3);
    const endpointId = await createEndpoint('ruled-endpoint');
    const rule = await ok(
      `mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { model strategy modelServerUrl endpoint { name } } }`,
      {
        input: {
          endpointId,
          model: 'ruled-model',
          strategy: 'RECREATE',
          modelServerUrl: 'http://127.0.0.1:9/models/{model}/v{version}',
        },
      },
    );
    expect(rule.setEndpointDeployRule).toEqual({
      model: 'ruled-model',
      strategy: 'RECREATE',
      modelServerUrl: 'http://127.0.0.1:9/models/{model}/v{version}',
      endpoint: { name: 'ruled-endpoint' },
    });
    const badRule = await refused(
      `mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { model } }`,
      {
        input: {
          endpointId,
          model: 'ruled-model',
          strategy: 'SHADOW',
          modelServerUrl: 'ftp://x',
          canarySteps: [50, 10],
        },
      },
    );
    expect(badRule.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      'input.canarySteps',
      'input.canarySteps',
      'input.canarySteps',
      'input.modelServerUrl',
      'input.strategy',
    ]);

    // STAGING triggers nothing.
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: STAGING }) { applied } }`, {
      id: v1,
    });
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: PRODUCTION }) { applied } }`, {
      id: v2,
    });
    const deployed = await waitFor(
      async () => {
        const ep = await endpoint(endpointId);
        return ep.deployments.length ? ep : undefined;
      },
      { what: 'the deploy rule job' },
    );
    const id = 'deployment:builtin:ruled-endpoint/ruled-model-v2';
    expect(live(deployed)).toEqual({ [id]: 100 });
    expect(deployed.deployments).toHaveLength(1);
    expect(deployed.trafficHistory[0]).toMatchObject({ reason: 'PROMOTION_RULE', actor: 'local (deploy rule)' });
    const row = await cairn.db.deployment.findUniqueOrThrow({ where: { id } });
    expect(row.modelServerUrl).toBe('http://127.0.0.1:9/models/ruled-model/v2');
    // A redelivered job deploys nothing more.
    const promotion = await cairn.db.promotion.findFirstOrThrow({
      where: { modelVersionId: v2, toStage: 'PRODUCTION' },
    });
    await cairn.services.deployments.rules.runJob({
      promotionId: promotion.id,
      endpointId,
      modelVersionId: v2!,
      modelName: 'ruled-model',
      modelProvider: 'builtin',
      actor: 'local',
    });
    expect(await cairn.db.deployment.count({ where: { endpointId } })).toBe(1);
    // The next production version replaces it; then the rule is removed and a promotion deploys nothing.
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: PRODUCTION }) { applied } }`, {
      id: v3,
    });
    const replaced = await waitFor(
      async () => {
        const ep = await endpoint(endpointId);
        return ep.deployments.length === 2 ? ep : undefined;
      },
      { what: 'the second deploy' },
    );
    expect(live(replaced)).toEqual({ 'deployment:builtin:ruled-endpoint/ruled-model-v3': 100 });
    expect(replaced.deployments.find((d: { id: string }) => d.id === id).status).toBe('RETIRED');
    const removed = await ok(
      `mutation($id: ID!) { removeEndpointDeployRule(input: { endpointId: $id }) { deployRule { model } } }`,
      { id: endpointId },
    );
    expect(removed.removeEndpointDeployRule.deployRule).toBeNull();
    // The deprecated form (`endpointId:` rather than `input:`), kept until it is removed: answered the same.
    const again = await ok(
      `mutation($id: ID) { removeEndpointDeployRule(endpointId: $id) { id deployRule { model } } }`,
      {
        id: endpointId,
      },
    );
    expect(again.removeEndpointDeployRule).toEqual({ id: endpointId, deployRule: null });
  });
});

describe('promotion to a canary', () => {
  it("a CANARY rule starts a canary with the rule's plan, which rolls back by itself on a breach", async () => {
    const [v1, v2] = await registerVersions('ruled-canary-model', 2);
    const endpointId = await createEndpoint('ruled-canary-endpoint');
    const blue = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const rule = await ok(
      `mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) {
        canarySteps thresholds { bakeSeconds maxErrorRate maxLatencyP99Ms minRequests } maxErrorRate minRequests } }`,
      {
        input: {
          endpointId,
          model: 'ruled-canary-model',
          strategy: 'CANARY',
          modelServerUrl: SERVER,
          canarySteps: [25, 100],
          bakeSeconds: 120,
          maxErrorRate: 0.01,
          minRequests: 50,
        },
      },
    );
    // One CanaryThresholds type; the flat fields it replaces still answer, deprecated, for one release.
    expect(rule.setEndpointDeployRule).toEqual({
      canarySteps: [25, 100],
      thresholds: { bakeSeconds: 120, maxErrorRate: 0.01, maxLatencyP99Ms: null, minRequests: 50 },
      maxErrorRate: 0.01,
      minRequests: 50,
    });
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: PRODUCTION }) { applied } }`, {
      id: v2,
    });
    const started = await waitFor(
      async () => {
        const ep = await endpoint(endpointId);
        return ep.activeRollout ? ep : undefined;
      },
      { what: 'the rule to start a canary' },
    );
    const canary = 'deployment:builtin:ruled-canary-endpoint/ruled-canary-model-v2';
    expect(live(started)).toEqual({ [blue.id]: 75, [canary]: 25 });
    expect(await rollout(started.activeRollout.id)).toMatchObject({
      steps: [25, 100],
      thresholds: { bakeSeconds: 120, maxErrorRate: 0.01, maxLatencyP99Ms: null, minRequests: 50 },
    });
    stats.figures.set(canary, { requests: 60, errors: 3, latencyP99Ms: 30 });
    expect((await cairn.services.deployments.rollouts.evaluate(started.activeRollout.id)).status).toBe('ROLLED_BACK');
    expect(live(await endpoint(endpointId))).toEqual({ [blue.id]: 100 });
  });
});
