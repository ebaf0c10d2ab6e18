/** Endpoints and their deployments: creating, listing, paging the traffic history, lineage, the demo estate. */
import { describe, expect, it } from 'vitest';
import { startTestCairn } from '../testkit.ts';
import {
  cairn,
  clock,
  createEndpoint,
  deploy,
  endpoint,
  later,
  live,
  ok,
  refused,
  registerVersions,
  SERVER,
  SET_SPLIT,
  useDeploymentsCairn,
} from './setup.ts';

useDeploymentsCairn();

describe('endpoints and deployments', () => {
  it('creates an endpoint, deploys its first version with all live traffic, and records the change', async () => {
    const [v1] = await registerVersions('first-model', 1);
    const endpointId = await createEndpoint('first-endpoint');
    expect(endpointId).toBe('endpoint:builtin:first-endpoint');
    const deployment = await deploy({
      endpointId,
      modelVersionId: v1,
      strategy: 'RECREATE',
      featureView: 'driver_stats',
      entityKeyField: 'driver_id',
    });
    expect(deployment).toMatchObject({
      id: 'deployment:builtin:first-endpoint/first-model-v1',
      trafficPercent: 100,
      status: 'ACTIVE',
    });
    const ep = await endpoint(endpointId);
    expect(ep).toMatchObject({
      name: 'first-endpoint',
      status: 'IN_SERVICE',
      owner: 'ml-platform',
      provider: { name: 'builtin' },
      stableDeployment: { id: deployment.id },
      activeRollout: null,
    });
    expect(live(ep)).toEqual({ [deployment.id]: 100 });
    expect(ep.trafficHistory).toHaveLength(1);
    expect(ep.trafficHistory[0]).toMatchObject({
      reason: 'DEPLOY',
      actor: 'local',
      live: [{ deployment: { id: deployment.id }, percent: 100 }],
      shadow: [],
    });
    // What the inference router reads: the catalog row of the deployment.
    const row = await cairn.db.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
    expect(row).toMatchObject({
      status: 'ACTIVE',
      trafficPercent: 100,
      shadowPercent: 0,
      modelServerUrl: SERVER,
      featureView: 'driver_stats',
      entityKeyField: 'driver_id',
    });
    // The version knows its deployments across subgraphs.
    const version = await ok(`query($id: ID!) { modelVersion(id: $id) { deployments { id endpoint { name } } } }`, {
      id: v1,
    });
    expect(version.modelVersion.deployments).toEqual([{ id: deployment.id, endpoint: { name: 'first-endpoint' } }]);
  });

  it('refuses a second endpoint of the same name, a bad name, and a built-in deployment without a model server URL', async () => {
    await createEndpoint('dup-endpoint');
    const dup = await refused(`mutation { createEndpoint(input: { name: "dup-endpoint" }) { id } }`, {});
    expect(dup.extensions!.code).toBe('CONFLICT');
    const bad = await refused(
      `mutation { createEndpoint(input: { name: "no spaces/", provider: "nowhere" }) { id } }`,
      {},
    );
    expect(bad.extensions!.code).toBe('BAD_USER_INPUT');
    expect(bad.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      'input.name',
      'input.provider',
    ]);
    const [v1] = await registerVersions('url-model', 1);
    const noUrl = await refused(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`,
      {
        input: { endpointId: 'endpoint:builtin:dup-endpoint', modelVersionId: v1, strategy: 'RECREATE' },
      },
    );
    expect(noUrl.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.modelServerUrl' }] });
    expect(await cairn.db.deployment.count({ where: { endpointId: 'endpoint:builtin:dup-endpoint' } })).toBe(0);
  });

  it('lists endpoints in pages', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await createEndpoint(name);
    const all = (await ok(`{ endpoints(provider: "builtin", first: 500) { nodes { name } } }`)).endpoints.nodes.map(
      (e: { name: string }) => e.name,
    );
    const pages = [];
    let after: string | null = null;
    for (;;) {
      const { endpoints }: { endpoints: any } = await ok(
        `query($after: String) { endpoints(provider: "builtin", first: 2, after: $after) { nodes { name } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      pages.push(...endpoints.nodes.map((e: { name: string }) => e.name));
      if (!endpoints.pageInfo.hasNextPage) break;
      after = endpoints.pageInfo.endCursor;
    }
    expect(pages).toEqual(all);
    expect(all).toEqual(expect.arrayContaining(['page-a', 'page-b', 'page-c']));
    expect(all).toEqual([...all].sort());
    expect((await refused(`{ endpoints(first: 0) { nodes { name } } }`, {})).extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('pages the traffic history, newest first', async () => {
    const [v1, v2] = await registerVersions('history-model', 2);
    const endpointId = await createEndpoint('history-endpoint');
    const a = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const b = await deploy({ endpointId, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 50 });
    for (const p of [10, 20, 30])
      await ok(SET_SPLIT, {
        input: {
          endpointId,
          split: [
            { deploymentId: a.id, percent: 100 - p },
            { deploymentId: b.id, percent: p },
          ],
        },
      });
    const PAGE = `query($id: ID!, $after: String) { endpoint(id: $id) { trafficHistory(first: 2, after: $after) {
      nodes { id reason live { deployment { id } percent } } pageInfo { hasNextPage endCursor } } } }`;
    const seen: { id: string; reason: string }[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await ok(PAGE, { id: endpointId, after })).endpoint.trafficHistory;
      seen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.map((c) => c.reason)).toEqual(['SET_SPLIT', 'SET_SPLIT', 'SET_SPLIT', 'DEPLOY', 'DEPLOY']);
    expect(seen.map((c) => BigInt(c.id))).toEqual([...seen.map((c) => BigInt(c.id))].sort((x, y) => (x > y ? -1 : 1)));
    expect((await refused(PAGE, { id: endpointId, after: 'x' })).extensions!.code).toBe('BAD_USER_INPUT');
  });

  it('refuses to deploy an ARCHIVED version, changing nothing', async () => {
    const [v1, v2] = await registerVersions('archived-model', 2);
    const endpointId = await createEndpoint('archived-endpoint');
    await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    await ok(`mutation($id: ID!) { promoteModelVersion(input: { modelVersionId: $id, to: ARCHIVED }) { applied } }`, {
      id: v2,
    });
    const before = await endpoint(endpointId);
    const error = await refused(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`,
      {
        input: { endpointId, modelVersionId: v2, strategy: 'CANARY', modelServerUrl: SERVER },
      },
    );
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.modelVersionId' }] });
    expect(error.message).toContain('ARCHIVED');
    expect(await endpoint(endpointId)).toEqual(before);
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
    const impact = (
      await ok(
        `query($id: ID!) { impact(id: $id) { impactedDeployments { deployment { id } trafficPercent live } } }`,
        { id: v2 },
      )
    ).impact;
    expect(impact.impactedDeployments).toEqual([{ deployment: { id: second.id }, trafficPercent: 100, live: true }]);
  });
});

describe('deployment(id)', () => {
  it('answers a deployment by its global ID, null for an unknown one, BAD_USER_INPUT for another kind of ID', async () => {
    const [v1] = await registerVersions('lookup-model', 1);
    const endpointId = await createEndpoint('lookup-endpoint');
    const deployed = await deploy({ endpointId, modelVersionId: v1, strategy: 'RECREATE' });
    const QUERY = `query($id: ID!) { deployment(id: $id) { id status strategy trafficPercent endpoint { id } } }`;
    expect((await ok(QUERY, { id: deployed.id })).deployment).toEqual({
      id: deployed.id,
      status: 'ACTIVE',
      strategy: 'RECREATE',
      trafficPercent: 100,
      endpoint: { id: endpointId },
    });
    expect((await ok(QUERY, { id: 'deployment:builtin:lookup-endpoint/none' })).deployment).toBeNull();
    expect((await refused(QUERY, { id: endpointId })).extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('demo estate', () => {
  it('seeds eta-predictor-prod serving eta_predictor v1, once however often Cairn starts', async () => {
    let demo = await startTestCairn({ CAIRN_DEMO: 'on' });
    try {
      const QUERY = `{ endpoints { nodes { name provider { name } deployments { nodes { id status trafficPercent featureView modelVersion { id } } } stableDeployment { id } } } }`;
      // The built-in estate only: the demo's SageMaker account is synced in the background, whenever it gets there.
      const builtin = async () =>
        (await demo.data(QUERY)).endpoints.nodes
          .filter((e: { provider: { name: string } }) => e.provider.name === 'builtin')
          .map(({ provider: _, deployments, ...e }: { provider: unknown; deployments: { nodes: unknown[] } }) => ({
            ...e,
            deployments: deployments.nodes,
          }));
      const first = await builtin();
      expect(first).toEqual([
        {
          name: 'eta-predictor-prod',
          deployments: [
            {
              id: 'deployment:builtin:eta-predictor-prod/eta_predictor-v1',
              status: 'ACTIVE',
              trafficPercent: 100,
              featureView: 'driver_stats',
              modelVersion: { id: 'modelVersion:builtin:eta_predictor/1' },
            },
          ],
          stableDeployment: { id: 'deployment:builtin:eta-predictor-prod/eta_predictor-v1' },
        },
      ]);
      demo = await demo.restart();
      expect(await builtin()).toEqual(first);
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
