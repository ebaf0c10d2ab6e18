import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSageMakerCairn, type SageMakerTestCairn } from './sagemaker-cairn.ts';

/**
 * What a sync finds on a cloud endpoint is recorded by the deployments subgraph's own rules, the
 * ones its mutations follow: the split the owner changed enters the traffic history, a deployment
 * given all live traffic becomes the stable one (so Cairn's rollback returns to it), and a variant
 * the owner took away is retired with its lineage edges ended.
 */

const ENDPOINT = 'endpoint:sm-rules:churn-prod';
const V2 = 'deployment:sm-rules:churn-prod/v2-primary';
const V3 = 'deployment:sm-rules:churn-prod/v3-canary';
const VIEW = `{ endpoint(id: "${ENDPOINT}") {
  trafficSplit { percent deployment { id } }
  stableDeployment { id }
  deployments { nodes { id status retiredAt } }
  trafficHistory(first: 5) { nodes { reason actor live { percent deployment { id } } } }
} lineage(id: "${ENDPOINT}", direction: UPSTREAM) { nodes { id } } }`;

let sm: SageMakerTestCairn;

beforeAll(async () => {
  sm = await startSageMakerCairn({ provider: 'sm-rules' });
});

afterAll(async () => {
  await sm?.close();
});

/** Changes the endpoint the way SageMaker's console would: its variants now, and its modification time. */
function changeAtOwner(
  change: (variants: { VariantName: string; CurrentWeight: number; DesiredWeight: number }[]) => typeof variants,
) {
  const endpoint = sm.emulator.state.endpoints.get('churn-prod')!;
  endpoint.ProductionVariants = change(endpoint.ProductionVariants) as typeof endpoint.ProductionVariants;
  endpoint.LastModifiedTime = new Date(endpoint.LastModifiedTime.getTime() + 1000);
}

async function view() {
  const answer = await sm.cairn.query(VIEW);
  expect(answer.errors).toBeUndefined();
  const { endpoint, lineage } = answer.data as { endpoint: any; lineage: { nodes: { id: string }[] } };
  return {
    endpoint: { ...endpoint, deployments: endpoint.deployments.nodes, trafficHistory: endpoint.trafficHistory.nodes },
    lineage,
  };
}

describe('a synced endpoint', () => {
  it('records the split its owner set in the traffic history, by sync, and the deployment at 100% becomes the stable one', async () => {
    const first = await view();
    // The first sync found 90/10 with nothing before it: one entry, and no deployment holds all traffic.
    expect(first.endpoint.trafficHistory).toEqual([
      {
        reason: 'SYNC',
        actor: 'sync:sm-rules',
        live: [
          { percent: 90, deployment: { id: V2 } },
          { percent: 10, deployment: { id: V3 } },
        ],
      },
    ]);
    expect(first.endpoint.stableDeployment).toBeNull();

    changeAtOwner((variants) =>
      variants.map((v) => ({
        ...v,
        CurrentWeight: v.VariantName === 'v2-primary' ? 1 : 0,
        DesiredWeight: v.VariantName === 'v2-primary' ? 1 : 0,
      })),
    );
    expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED', updated: 1 });
    const after = await view();
    expect(after.endpoint.trafficSplit).toEqual([{ percent: 100, deployment: { id: V2 } }]);
    expect(after.endpoint.stableDeployment).toEqual({ id: V2 });
    expect(after.endpoint.trafficHistory[0]).toEqual({
      reason: 'SYNC',
      actor: 'sync:sm-rules',
      live: [{ percent: 100, deployment: { id: V2 } }],
    });
    expect(after.endpoint.trafficHistory).toHaveLength(2);

    // A sync that finds the same split records nothing more.
    expect(await sm.sync({ full: true })).toMatchObject({ status: 'SUCCEEDED' });
    expect((await view()).endpoint.trafficHistory).toHaveLength(2);
  });

  it("gives Cairn's rollback the stable deployment the owner set", async () => {
    const SET = `mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { id } }`;
    const set = await sm.cairn.query(SET, {
      input: {
        endpointId: ENDPOINT,
        split: [
          { deploymentId: V2, percent: 40 },
          { deploymentId: V3, percent: 60 },
        ],
      },
    });
    expect(set.errors).toBeUndefined();
    // The deprecated form (`endpointId:` rather than `input:`), kept until it is removed: it still rolls back.
    const rollback = await sm.cairn.query(
      `mutation { rollbackEndpoint(endpointId: "${ENDPOINT}") { trafficSplit { percent deployment { id } } } }`,
    );
    expect(rollback.errors).toBeUndefined();
    expect(rollback.data.rollbackEndpoint.trafficSplit).toEqual([{ percent: 100, deployment: { id: V2 } }]);
    expect(
      sm.emulator.state.endpoints.get('churn-prod')!.ProductionVariants.map((v) => [v.VariantName, v.CurrentWeight]),
    ).toEqual([
      ['v2-primary', 100],
      ['v3-canary', 0],
    ]);
  });

  it('retires a variant the owner took away, ending its lineage edges, and keeps its row', async () => {
    expect((await view()).lineage.nodes.map((n) => n.id)).toContain(V3);
    changeAtOwner((variants) => variants.filter((v) => v.VariantName !== 'v3-canary'));
    expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED', updated: 1 });
    const after = await view();
    const byId = new Map(after.endpoint.deployments.map((d: { id: string }) => [d.id, d]));
    expect(byId.get(V3)).toMatchObject({ status: 'RETIRED', retiredAt: expect.any(String) });
    expect(byId.get(V2)).toMatchObject({ status: 'ACTIVE', retiredAt: null });
    expect(after.lineage.nodes.map((n) => n.id)).not.toContain(V3);
    expect(after.lineage.nodes.map((n) => n.id)).toContain(V2);
    // Its split did not change (it had 0%): no history entry for the retirement.
    expect(after.endpoint.trafficHistory[0].reason).toBe('ROLLBACK');
  });
});
