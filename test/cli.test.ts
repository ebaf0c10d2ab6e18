import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairnCli, startTestCairn, type TestCairn } from './testkit.ts';

let cairn: TestCairn;
beforeAll(async () => {
  cairn = await startTestCairn();
});
afterAll(async () => {
  await cairn?.close();
});

describe('the cairn command', () => {
  it('exits 2 with one line on bad arguments or configuration, never echoing a secret', async () => {
    const only = await cairnCli(['serve', '--only', 'bogus']);
    expect(only.code).toBe(2);
    expect(only.stderr.trim()).toBe('cairn: --only takes one of features, models, deployments, lineage, not "bogus"');
    const config = await cairnCli(['serve'], { PORT: 'eighty', DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('PORT');
    expect(config.stderr).toContain('DATABASE_URL');
    expect(config.stderr).not.toContain('hunter2');
    expect((await cairnCli(['frobnicate'])).code).toBe(2);
  });

  it('promotes for CI: exit 0 when applied, 3 when denied, 1 on an error', async () => {
    await cairn.query(
      'mutation { applyPolicy(input: { name: "cli-auc", appliesTo: STAGING, modelPattern: "cli-*", expression: "candidate.metrics.auc >= 0.8", message: "AUC at least 0.8" }) { version } }',
    );
    const good = (
      await cairn.query('mutation { registerModelVersion(input: { model: "cli-good", metrics: { auc: 0.9 } }) { id } }')
    ).data.registerModelVersion.id;
    const bad = (
      await cairn.query('mutation { registerModelVersion(input: { model: "cli-bad", metrics: { auc: 0.5 } }) { id } }')
    ).data.registerModelVersion.id;

    const dry = await cairnCli(['promote', bad, '--to', 'staging', '--dry-run', '--url', cairn.url]);
    expect(dry.code).toBe(3);
    expect(dry.stdout).toContain('FAILED  BLOCK cli-auc@v1: AUC at least 0.8');
    expect(dry.stdout).toContain('dry run: would be denied');

    const applied = await cairnCli([
      'promote',
      good,
      '--to',
      'STAGING',
      '--idempotency-key',
      'pipeline-7',
      '--url',
      cairn.url,
    ]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/APPLIED: NONE -> STAGING, promotion /);
    const replay = await cairnCli([
      'promote',
      good,
      '--to',
      'STAGING',
      '--idempotency-key',
      'pipeline-7',
      '--url',
      cairn.url,
    ]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('APPLIED (replayed)');

    const denied = await cairnCli(['promote', bad, '--to', 'STAGING', '--url', cairn.url]);
    expect(denied.code).toBe(3);
    expect(denied.stdout).toContain('DENIED: NONE -> STAGING');

    const missing = await cairnCli(['promote', 'modelVersion:builtin:nope/1', '--to', 'STAGING', '--url', cairn.url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('NOT_FOUND');
  });

  it('rolls an endpoint back for on-call: exit 0 with the split in force, 1 with the error code when it cannot', async () => {
    const versions: string[] = [];
    for (const n of [1, 2])
      versions.push(
        (
          await cairn.data(
            `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`,
            { input: { model: 'cli-served', metrics: { n } } },
          )
        ).registerModelVersion.id,
      );
    const endpointId = (
      await cairn.data(`mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }`, {
        input: { name: 'cli-endpoint' },
      })
    ).createEndpoint.id;
    const deploy = (modelVersionId: string, strategy: string, trafficPercent?: number) =>
      cairn.data(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
        input: { endpointId, modelVersionId, strategy, trafficPercent, modelServerUrl: 'http://127.0.0.1:9/' },
      });
    const stable = (await deploy(versions[0]!, 'RECREATE')).deployModelVersion.id;
    await deploy(versions[1]!, 'AB_TEST', 30);

    const done = await cairnCli(['rollback', endpointId, '--url', cairn.url]);
    expect(done.code).toBe(0);
    expect(done.stdout.trim()).toBe(`rolled back cli-endpoint: ${stable} 100%`);
    const split = (
      await cairn.data(`query($id: ID!) { endpoint(id: $id) { trafficSplit { percent deployment { id } } } }`, {
        id: endpointId,
      })
    ).endpoint.trafficSplit;
    expect(split).toEqual([{ percent: 100, deployment: { id: stable } }]);

    const empty = (
      await cairn.data(`mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }`, {
        input: { name: 'cli-empty' },
      })
    ).createEndpoint.id;
    const refused = await cairnCli(['rollback', empty, '--url', cairn.url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^cairn: CONFLICT: endpoint cli-empty has no stable deployment/);
    expect((await cairnCli(['rollback'])).code).toBe(2);
  });

  it('verifies the audit chain: exit 0 when intact, 4 when broken', async () => {
    const intact = await cairnCli(['verify-audit', '--url', cairn.url]);
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/audit chain intact: \d+ events checked/);
    const victim = await cairn.db.auditEvent.findFirst({ orderBy: { id: 'asc' } });
    await cairn.db.$executeRaw`UPDATE audit_event SET payload = '{"forged": true}' WHERE id = ${victim!.id}`;
    const broken = await cairnCli(['verify-audit', '--url', cairn.url]);
    expect(broken.code).toBe(4);
    expect(broken.stdout).toContain(`BROKEN at event ${victim!.id}`);
    // Put it back, as the testkit checks the chain when this file's Cairn closes.
    await cairn.db
      .$executeRaw`UPDATE audit_event SET payload = ${JSON.stringify(victim!.payload)}::jsonb WHERE id = ${victim!.id}`;
    expect((await cairnCli(['verify-audit', '--url', cairn.url])).code).toBe(0);
  });
});
