import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinDeploymentProvider } from '../adapters/builtin/deployment.ts';
import type {
  DeploymentSpec,
  DeploymentStats,
  DeploymentStatsSource,
  EndpointRef,
  TrafficSplitSpec,
} from '../adapters/core/deployment.ts';
import { startTestCairn, within, type TestCairn } from './testkit.ts';

const SERVER = 'http://127.0.0.1:9/';
const REGISTER = `mutation($model: String!) { registerModelVersion(input: { model: $model, artifactUri: "s3://m" }) { id } }`;
const CREATE = `mutation($name: String!) { createEndpoint(input: { name: $name, owner: "ml" }) { id } }`;
const DEPLOY = `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id status trafficPercent } }`;
const RETIRE = `mutation($id: ID!) { retireDeployment(input: { deploymentId: $id }) { id status } }`;
const SPLIT = `query($id: ID!) { endpoint(id: $id) { trafficSplit { percent deployment { id } } trafficHistory(first: 20) { nodes { reason } } } }`;
const SET = `mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { id } }`;

/** A gate an owner call waits at until the test opens it; `reached` resolves once a call is waiting. */
class Gate {
  private opened: Promise<void> | null = null;
  private open: (() => void) | null = null;
  private arrived: (() => void) | null = null;
  reached: Promise<void> = Promise.resolve();

  /** Makes the next calls wait until `release`. */
  close() {
    this.opened = new Promise((resolve) => (this.open = resolve));
    this.reached = new Promise((resolve) => (this.arrived = resolve));
  }

  release() {
    this.open?.();
    this.opened = null;
  }

  async pass(): Promise<void> {
    if (!this.opened) return;
    this.arrived?.();
    await this.opened;
  }
}

class NoFigures implements DeploymentStatsSource {
  readonly figures = new Map<string, DeploymentStats>();
  statsSince(ids: string[]) {
    return new Map(ids.map((id) => [id, this.figures.get(id) ?? { requests: 0, errors: 0, latencyP99Ms: null }]));
  }
}

/**
 * The built-in backend behind owner calls that wait at a gate for endpoints named `held-*` (a cloud
 * whose API hangs); calls for other endpoints pass at once.
 */
class HeldOwner extends BuiltinDeploymentProvider {
  readonly gate = new Gate();
  private held = (endpoint: EndpointRef) => (endpoint.name.startsWith('held-') ? this.gate.pass() : undefined);

  override async createDeployment(endpoint: EndpointRef, spec: DeploymentSpec) {
    await this.held(endpoint);
    return super.createDeployment(endpoint, spec);
  }

  override async applyTrafficSplit(endpoint: EndpointRef, split: TrafficSplitSpec) {
    await this.held(endpoint);
    return super.applyTrafficSplit(endpoint, split);
  }

  override async retireDeployment(endpoint: EndpointRef, deployment: { id: string; nativeId: string }) {
    await this.held(endpoint);
    return super.retireDeployment(endpoint, deployment);
  }
}

describe('deploys, retirements and rollout steps call the endpoint owner outside database transactions', () => {
  let cairn: TestCairn;
  const stats = new NoFigures();
  // The owner is handed to Cairn before Cairn's database exists: it reaches it through this stand-in.
  const lateDb = new Proxy({}, { get: (_, key) => (cairn.db as never)[key] }) as TestCairn['db'];
  const owner = new HeldOwner(lateDb, { stats });

  beforeAll(async () => {
    // The embedded database has one connection: a transaction held over the owner call would stop every other request.
    cairn = await startTestCairn(
      { CAIRN_SUBGRAPH_TIMEOUT_MS: '60000' },
      { deploymentProviders: [owner], deploymentStats: stats },
    );
  });
  afterAll(() => cairn?.close());

  async function servingEndpoint(name: string, model: string) {
    const endpointId = (await cairn.data(CREATE, { name })).createEndpoint.id as string;
    const [v1, v2] = [
      (await cairn.data(REGISTER, { model })).registerModelVersion.id as string,
      (await cairn.data(REGISTER, { model })).registerModelVersion.id as string,
    ];
    const blue = (
      await cairn.data(DEPLOY, {
        input: { endpointId, modelVersionId: v1, strategy: 'RECREATE', modelServerUrl: SERVER },
      })
    ).deployModelVersion.id as string;
    return { endpointId, v2, blue };
  }

  it("a deploy whose owner hangs delays neither reads nor another endpoint's deploy, then commits what the owner made", async () => {
    const held = await servingEndpoint('held-deploy', 'held-deploy-model');
    const free = await servingEndpoint('free-deploy', 'free-deploy-model');
    owner.gate.close();
    const hanging = cairn.query(DEPLOY, {
      input: { endpointId: held.endpointId, modelVersionId: held.v2, strategy: 'BLUE_GREEN', modelServerUrl: SERVER },
    });
    try {
      await within(10_000, 'the owner call', owner.gate.reached);
      expect(await cairn.db.trafficChange.count({ where: { endpointId: held.endpointId, status: 'PENDING' } })).toBe(1);
      // Not in the catalog yet: the owner has not answered.
      expect(await cairn.db.deployment.count({ where: { endpointId: held.endpointId } })).toBe(1);

      const read = await within(3_000, 'a read of the held endpoint', cairn.data(SPLIT, { id: held.endpointId }));
      expect(read.endpoint.trafficSplit).toEqual([{ percent: 100, deployment: { id: held.blue } }]);
      const other = await within(
        5_000,
        "another endpoint's deploy",
        cairn.data(DEPLOY, {
          input: { endpointId: free.endpointId, modelVersionId: free.v2, strategy: 'AB_TEST', modelServerUrl: SERVER },
        }),
      );
      expect(other.deployModelVersion).toMatchObject({ status: 'ACTIVE', trafficPercent: 50 });
    } finally {
      owner.gate.release();
    }
    const done = await hanging;
    expect(done.errors).toBeUndefined();
    expect(done.data.deployModelVersion).toMatchObject({ status: 'ACTIVE', trafficPercent: 0 });
    // A blue/green waits at 0%: the reservation is withdrawn, not left in the history as a split.
    expect(
      await cairn.db.trafficChange.count({ where: { endpointId: held.endpointId, status: { not: 'APPLIED' } } }),
    ).toBe(0);
    const history = (await cairn.data(SPLIT, { id: held.endpointId })).endpoint.trafficHistory.nodes;
    expect(history.map((h: { reason: string }) => h.reason)).toEqual(['DEPLOY']);
    expect(await cairn.db.rollout.count({ where: { endpointId: held.endpointId, status: 'IN_PROGRESS' } })).toBe(1);
  }, 60_000);

  it('a retirement whose owner hangs does not hold the endpoint; the deployment is RETIRED once the owner answers', async () => {
    const held = await servingEndpoint('held-retire', 'held-retire-model');
    const green = (
      await cairn.data(DEPLOY, {
        input: { endpointId: held.endpointId, modelVersionId: held.v2, strategy: 'BLUE_GREEN', modelServerUrl: SERVER },
      })
    ).deployModelVersion.id as string;
    // Switch to green (the rollout succeeds), then retire blue.
    await cairn.data(SET, { input: { endpointId: held.endpointId, split: [{ deploymentId: green, percent: 100 }] } });
    owner.gate.close();
    const hanging = cairn.query(RETIRE, { id: held.blue });
    try {
      await within(10_000, 'the owner call', owner.gate.reached);
      const read = await within(3_000, 'a read of the held endpoint', cairn.data(SPLIT, { id: held.endpointId }));
      expect(read.endpoint.trafficSplit).toEqual([{ percent: 100, deployment: { id: green } }]);
      expect((await cairn.db.deployment.findUnique({ where: { id: held.blue } }))!.status).toBe('ACTIVE');
    } finally {
      owner.gate.release();
    }
    const done = await hanging;
    expect(done.errors).toBeUndefined();
    expect(done.data.retireDeployment).toEqual({ id: held.blue, status: 'RETIRED' });
    const audit = await cairn.db.auditEvent.findFirst({ where: { action: 'retireDeployment', subjectId: held.blue } });
    expect(audit).toMatchObject({ outcome: 'APPLIED' });
  }, 60_000);

  it("a canary's automatic rollback asks the owner with no lock held, and the rollout ends ROLLED_BACK", async () => {
    const held = await servingEndpoint('held-canary', 'held-canary-model');
    const canary = (
      await cairn.data(DEPLOY, {
        input: {
          endpointId: held.endpointId,
          modelVersionId: held.v2,
          strategy: 'CANARY',
          modelServerUrl: SERVER,
          rollout: { steps: [10, 100], bakeSeconds: 3600, maxErrorRate: 0.05, minRequests: 10 },
        },
      })
    ).deployModelVersion.id as string;
    const rollout = (await cairn.db.rollout.findFirst({ where: { deploymentId: canary } }))!;
    stats.figures.set(canary, { requests: 100, errors: 50, latencyP99Ms: 5 });
    owner.gate.close();
    const evaluating = cairn.services.deployments.rollouts.evaluate(rollout.id);
    try {
      await within(10_000, 'the owner call', owner.gate.reached);
      const read = await within(3_000, 'a read of the held endpoint', cairn.data(SPLIT, { id: held.endpointId }));
      expect(read.endpoint.trafficSplit.map((s: { percent: number }) => s.percent).sort()).toEqual([10, 90]);
    } finally {
      owner.gate.release();
    }
    const finished = await evaluating;
    expect(finished.status).toBe('ROLLED_BACK');
    const read = await cairn.data(SPLIT, { id: held.endpointId });
    expect(read.endpoint.trafficSplit).toEqual([{ percent: 100, deployment: { id: held.blue } }]);
    expect(read.endpoint.trafficHistory.nodes[0]).toEqual({ reason: 'AUTO_ROLLBACK' });
  }, 60_000);

  it('a deploy left PENDING by a process that died is FAILED at reconciliation: no deployment, nothing in force', async () => {
    const held = await servingEndpoint('crashed-deploy', 'crashed-deploy-model');
    const ghost = 'deployment:builtin:crashed-deploy/ghost';
    await cairn.db.trafficChange.create({
      data: {
        endpointId: held.endpointId,
        live: [{ deploymentId: ghost, percent: 100 }],
        shadow: [],
        reason: 'DEPLOY',
        actor: 'ci',
        status: 'PENDING',
      },
    });
    expect(await cairn.services.deployments.traffic.reconcilePending({ all: true })).toBe(1);
    expect(await cairn.db.trafficChange.count({ where: { endpointId: held.endpointId, status: 'FAILED' } })).toBe(1);
    expect(await cairn.db.deployment.count({ where: { id: ghost } })).toBe(0);
    const read = await cairn.data(SPLIT, { id: held.endpointId });
    expect(read.endpoint.trafficSplit).toEqual([{ percent: 100, deployment: { id: held.blue } }]);
    const audit = await cairn.db.auditEvent.findFirst({
      where: { action: 'deployModelVersion', subjectId: held.endpointId, outcome: 'FAILED' },
    });
    expect(audit?.payload).toMatchObject({ reconciled: true });
  }, 60_000);
});
