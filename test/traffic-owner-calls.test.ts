import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSageMakerCairn, type SageMakerTestCairn } from './sagemaker-cairn.ts';
import { startSageMakerEmulator, type SageMakerEmulator } from '../emulators/sagemaker/index.ts';
import { waitFor, within } from './testkit.ts';

const SET = `mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { trafficSplit { percent deployment { id } } } }`;
const SPLIT = `query($id: ID!) { endpoint(id: $id) { trafficSplit { percent deployment { id } } } }`;
const HISTORY = `query($id: ID!) { endpoint(id: $id) { trafficHistory(first: 10) { nodes { reason live { percent deployment { id } } } } } }`;

const endpointOf = (provider: string) => `endpoint:${provider}:churn-prod`;
const deploymentOf = (provider: string, variant: 'v2-primary' | 'v3-canary') =>
  `deployment:${provider}:churn-prod/${variant}`;
const splitInput = (provider: string, primary: number) => ({
  endpointId: endpointOf(provider),
  split: [
    { deploymentId: deploymentOf(provider, 'v2-primary'), percent: primary },
    { deploymentId: deploymentOf(provider, 'v3-canary'), percent: 100 - primary },
  ],
});

describe('traffic changes call the endpoint owner outside database transactions', () => {
  let sm: SageMakerTestCairn;
  let other: SageMakerEmulator;
  beforeAll(async () => {
    // Two SageMaker accounts: a hold on one emulator's traffic API leaves the other's answering.
    other = await startSageMakerEmulator();
    sm = await startSageMakerCairn({
      provider: 'sm-slow',
      env: { CAIRN_SUBGRAPH_TIMEOUT_MS: '60000' },
      extraYaml: `  - name: sm-other
    kind: SAGEMAKER
    region: ${other.state.region}
    accountId: "${other.state.accountId}"
    endpoint: ${other.url}
    credentials: default-chain
    syncIntervalSeconds: 3600
    maxAttempts: 1
`,
    });
    await waitFor(
      async () => ((await sm.cairn.db.endpoint.count({ where: { id: endpointOf('sm-other') } })) ? true : undefined),
      { what: 'the second account to sync', timeoutMs: 60_000 },
    );
  }, 120_000);
  afterAll(async () => {
    await sm?.close();
    await other?.close();
  });

  it("a change whose owner hangs delays neither reads nor another endpoint's change, and is APPLIED once the owner answers", async () => {
    const { cairn, emulator } = sm;
    const hold = emulator.hold('UpdateEndpointWeightsAndCapacities', { after: false });
    const hanging = cairn.query(SET, { input: splitInput('sm-slow', 40) });
    try {
      await within(30_000, 'the owner call', hold.reached);
      // Reserved: PENDING, not in the history nor in the split in force.
      expect(
        await cairn.db.trafficChange.count({ where: { endpointId: endpointOf('sm-slow'), status: 'PENDING' } }),
      ).toBe(1);

      const read = await within(3_000, 'a read of the held endpoint', cairn.data(SPLIT, { id: endpointOf('sm-slow') }));
      expect(read.endpoint.trafficSplit.map((s: { percent: number }) => s.percent)).toEqual([90, 10]);
      const history = await within(
        3_000,
        'the held endpoint history',
        cairn.data(HISTORY, { id: endpointOf('sm-slow') }),
      );
      expect(
        history.endpoint.trafficHistory.nodes.some((c: { live: { percent: number }[] }) =>
          c.live.some((s) => s.percent === 40),
        ),
      ).toBe(false);

      const changed = await within(
        5_000,
        "another endpoint's change",
        cairn.query(SET, { input: splitInput('sm-other', 70) }),
      );
      expect(changed.errors).toBeUndefined();
      expect(changed.data.setTrafficSplit.trafficSplit.map((s: { percent: number }) => s.percent)).toEqual([70, 30]);
      expect(other.state.endpoints.get('churn-prod')!.ProductionVariants.map((v) => v.CurrentWeight)).toEqual([70, 30]);
    } finally {
      hold.release();
    }
    const done = await hanging;
    expect(done.errors).toBeUndefined();
    expect(done.data.setTrafficSplit.trafficSplit.map((s: { percent: number }) => s.percent)).toEqual([40, 60]);
    expect(
      await cairn.db.trafficChange.count({ where: { endpointId: endpointOf('sm-slow'), status: 'PENDING' } }),
    ).toBe(0);
    const audit = await cairn.db.auditEvent.findFirst({
      where: { action: 'setTrafficSplit', subjectId: endpointOf('sm-slow') },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({ outcome: 'APPLIED' });
  }, 90_000);

  it('racing changes of one endpoint go one at a time: the catalog and SageMaker both end with the last one', async () => {
    const { cairn, emulator } = sm;
    const answers = [];
    for (const primary of [20, 50, 80]) answers.push(cairn.query(SET, { input: splitInput('sm-slow', primary) }));
    const settled = await Promise.all(answers);
    expect(settled.flatMap((a) => a.errors ?? [])).toEqual([]);
    const weights = emulator.state.endpoints.get('churn-prod')!.ProductionVariants.map((v) => v.CurrentWeight);
    const read = await cairn.data(SPLIT, { id: endpointOf('sm-slow') });
    // Whichever ran last, the catalog holds what SageMaker routes by.
    expect(read.endpoint.trafficSplit.map((s: { percent: number }) => s.percent)).toEqual(weights);
    expect(
      await cairn.db.trafficChange.count({ where: { endpointId: endpointOf('sm-slow'), status: 'PENDING' } }),
    ).toBe(0);
  }, 60_000);

  it('a change whose owner refuses is FAILED: the catalog unchanged, a FAILED audit event, nothing in the history', async () => {
    const { cairn, emulator } = sm;
    const before = (await cairn.data(SPLIT, { id: endpointOf('sm-slow') })).endpoint.trafficSplit.map(
      (s: { percent: number }) => s.percent,
    );
    emulator.reset().throttle(100, ['UpdateEndpointWeightsAndCapacities']);
    try {
      const answer = await cairn.query(SET, { input: splitInput('sm-slow', before[0] === 10 ? 15 : 10) });
      expect(answer.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
    } finally {
      emulator.reset();
    }
    const after = (await cairn.data(SPLIT, { id: endpointOf('sm-slow') })).endpoint.trafficSplit.map(
      (s: { percent: number }) => s.percent,
    );
    expect(after).toEqual(before);
    expect(await cairn.db.trafficChange.count({ where: { endpointId: endpointOf('sm-slow'), status: 'FAILED' } })).toBe(
      1,
    );
    const audit = await cairn.db.auditEvent.findFirst({
      where: { action: 'setTrafficSplit', subjectId: endpointOf('sm-slow') },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({ outcome: 'FAILED' });
  }, 60_000);

  it('changes left PENDING by a process that died are settled against the owner: APPLIED where it routes by them, FAILED where not', async () => {
    const { cairn, emulator } = sm;
    const db = cairn.db;
    // sm-slow: SageMaker took 35/65 before the process died; sm-other: SageMaker never got its 5/95.
    const weights = emulator.state.endpoints.get('churn-prod')!.ProductionVariants;
    weights[0]!.CurrentWeight = weights[0]!.DesiredWeight = 35;
    weights[1]!.CurrentWeight = weights[1]!.DesiredWeight = 65;
    const otherBefore = (await cairn.data(SPLIT, { id: endpointOf('sm-other') })).endpoint.trafficSplit.map(
      (s: { percent: number }) => s.percent,
    );
    const left = (provider: string, primary: number) => ({
      endpointId: endpointOf(provider),
      live: [
        { deploymentId: deploymentOf(provider, 'v2-primary'), percent: primary },
        { deploymentId: deploymentOf(provider, 'v3-canary'), percent: 100 - primary },
      ],
      shadow: [],
      reason: 'SET_SPLIT',
      actor: 'crashed',
      status: 'PENDING',
      // Reserved long ago: its owner call is over.
      createdAt: new Date(Date.now() - 10 * 60_000),
    });
    await db.trafficChange.create({ data: left('sm-slow', 35) });
    await db.trafficChange.create({ data: left('sm-other', 5) });

    // The sync of sm-slow reads SageMaker, then settles the changes of its endpoints left PENDING.
    expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED' });
    const rows = await db.trafficChange.findMany({
      where: { actor: 'crashed' },
      select: { endpointId: true, status: true },
    });
    expect(rows.find((r) => r.endpointId === endpointOf('sm-slow'))!.status).toBe('APPLIED');
    // sm-other is another provider: its sync settles it.
    // The deprecated form (`name:` rather than `input:`), kept until it is removed: it still syncs.
    const { syncProvider } = await cairn.data(`mutation { syncProvider(name: "sm-other") { id } }`);
    await waitFor(
      async () => {
        const answer = await cairn.query(`query($id: ID!) { syncRun(id: $id) { status } }`, { id: syncProvider.id });
        return ['SUCCEEDED', 'FAILED'].includes(answer.data?.syncRun?.status) ? true : undefined;
      },
      { what: 'the sm-other sync' },
    );
    expect(
      (await db.trafficChange.findFirst({ where: { actor: 'crashed', endpointId: endpointOf('sm-other') } }))!.status,
    ).toBe('FAILED');

    expect(
      (await cairn.data(SPLIT, { id: endpointOf('sm-slow') })).endpoint.trafficSplit.map(
        (s: { percent: number }) => s.percent,
      ),
    ).toEqual([35, 65]);
    expect(
      (await cairn.data(SPLIT, { id: endpointOf('sm-other') })).endpoint.trafficSplit.map(
        (s: { percent: number }) => s.percent,
      ),
    ).toEqual(otherBefore);
    const audits = await db.auditEvent.findMany({
      where: { action: 'setTrafficSplit', actor: 'crashed' },
      select: { subjectId: true, outcome: true, payload: true },
    });
    expect(audits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          subjectId: endpointOf('sm-slow'),
          outcome: 'APPLIED',
          payload: expect.objectContaining({ reconciled: true }),
        }),
        expect.objectContaining({ subjectId: endpointOf('sm-other'), outcome: 'FAILED' }),
      ]),
    );
    expect(await db.trafficChange.count({ where: { status: 'PENDING' } })).toBe(0);
  }, 120_000);
});
