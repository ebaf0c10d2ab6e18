import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinDeploymentProvider } from '../adapters/builtin/deployment.ts';
import type {
  DeploymentStats,
  DeploymentStatsSource,
  EndpointRef,
  TrafficSplitSpec,
} from '../adapters/core/deployment.ts';
import { UpstreamUnavailableError } from '../platform/errors.ts';
import { deploymentProviderContract } from './contracts/deployment-provider.contract.ts';
import { startTestCairn, type TestCairn } from './testkit.ts';

class RecordedStats implements DeploymentStatsSource {
  readonly figures = new Map<string, DeploymentStats>();
  statsSince(ids: string[]) {
    return new Map(ids.flatMap((id) => (this.figures.has(id) ? [[id, this.figures.get(id)!] as const] : [])));
  }
}

// One Cairn for the whole suite (each contract test makes endpoints of its own names).
let shared: Promise<TestCairn> | undefined;
afterAll(async () => {
  if (shared) await (await shared).close();
});

deploymentProviderContract('built-in', async () => {
  shared ??= startTestCairn();
  const cairn = await shared;
  const stats = new RecordedStats();
  return {
    provider: new BuiltinDeploymentProvider(cairn.db, { stats }),
    db: cairn.db,
    close: async () => {},
    modelServerUrl: 'http://127.0.0.1:9/',
    requiresModelServerUrl: true,
    recordStats: (id, figures) => stats.figures.set(id, figures),
    readSplit: async (endpoint) => {
      // The inference router's view: ACTIVE deployments of the endpoint with a share above 0.
      const rows = await cairn.db.deployment.findMany({ where: { endpointId: endpoint.id, status: 'ACTIVE' } });
      return {
        live: Object.fromEntries(rows.filter((d) => d.trafficPercent > 0).map((d) => [d.id, d.trafficPercent])),
        shadow: Object.fromEntries(rows.filter((d) => d.shadowPercent > 0).map((d) => [d.id, d.shadowPercent])),
      };
    },
  };
});

/** The built-in backend whose traffic API fails on demand, as an unreachable cloud would. */
class FlakyOwner extends BuiltinDeploymentProvider {
  failing = false;
  override async applyTrafficSplit(endpoint: EndpointRef, split: TrafficSplitSpec) {
    if (this.failing) throw new UpstreamUnavailableError(this.providerName, 'traffic API unreachable');
    return super.applyTrafficSplit(endpoint, split);
  }
}

describe('built-in deployments behind the services', () => {
  let cairn: TestCairn;
  const invalidated: string[] = [];
  // The owner is handed to Cairn before Cairn's database exists: it reaches it through this stand-in.
  const lateDb = new Proxy({}, { get: (_, key) => (cairn.db as never)[key] }) as TestCairn['db'];
  const owner = new FlakyOwner(lateDb, {
    stats: new RecordedStats(),
    onSplitChanged: (name) => invalidated.push(name),
  });

  beforeAll(async () => {
    cairn = await startTestCairn({}, { deploymentProviders: [owner] });
  });
  afterAll(() => cairn?.close());

  it('tells the router after each committed change, and an owner that fails leaves the catalog as it was with a FAILED attempt recorded', async () => {
    const versions = [];
    for (let i = 0; i < 2; i++)
      versions.push(
        (
          await cairn.data(
            `mutation { registerModelVersion(input: { model: "owner-model", artifactUri: "s3://m" }) { id } }`,
            {},
          )
        ).registerModelVersion.id,
      );
    const endpointId = (await cairn.data(`mutation { createEndpoint(input: { name: "owner-endpoint" }) { id } }`, {}))
      .createEndpoint.id;
    const deploy = `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`;
    const a = (
      await cairn.data(deploy, {
        input: { endpointId, modelVersionId: versions[0], strategy: 'RECREATE', modelServerUrl: 'http://127.0.0.1:9/' },
      })
    ).deployModelVersion.id;
    const b = (
      await cairn.data(deploy, {
        input: {
          endpointId,
          modelVersionId: versions[1],
          strategy: 'AB_TEST',
          trafficPercent: 20,
          modelServerUrl: 'http://127.0.0.1:9/',
        },
      })
    ).deployModelVersion.id;
    expect(invalidated).toEqual(['owner-endpoint', 'owner-endpoint']);

    owner.failing = true;
    const before = await cairn.db.deployment.findMany({ where: { endpointId }, orderBy: { id: 'asc' } });
    // The history lists APPLIED changes only (a refused change stays as a FAILED intent).
    const history = await cairn.db.trafficChange.count({ where: { endpointId, status: 'APPLIED' } });
    const answer = await cairn.query(
      `mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { id } }`,
      {
        input: {
          endpointId,
          split: [
            { deploymentId: a, percent: 50 },
            { deploymentId: b, percent: 50 },
          ],
        },
      },
    );
    expect(answer.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', provider: 'builtin' });
    expect(await cairn.db.deployment.findMany({ where: { endpointId }, orderBy: { id: 'asc' } })).toEqual(before);
    expect(await cairn.db.trafficChange.count({ where: { endpointId, status: 'APPLIED' } })).toBe(history);
    expect(await cairn.db.trafficChange.count({ where: { endpointId, status: 'PENDING' } })).toBe(0);
    expect(invalidated).toHaveLength(2);
    const failed = await cairn.db.auditEvent.findFirst({
      where: { action: 'setTrafficSplit', subjectId: endpointId },
      orderBy: { id: 'desc' },
    });
    expect(failed).toMatchObject({ outcome: 'FAILED' });
    owner.failing = false;
  });
});
