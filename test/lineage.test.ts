import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countStatements, FEATURE_VIEW_INPUT, startTestCairn, type TestCairn } from './testkit.ts';

const APPLY = `mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { id features { id name } } }`;
const REGISTER = `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`;
const INCIDENT = `mutation($input: ReportFeatureIncidentInput!) { reportFeatureIncident(input: $input) { id } }`;
const LINEAGE = `query($id: ID!, $direction: LineageDirection, $depth: Int, $asOf: DateTime, $kinds: [String!], $limit: Int) {
  lineage(id: $id, direction: $direction, depth: $depth, asOf: $asOf, kinds: $kinds, limit: $limit) {
    root truncated nodes { id kind name provider depth } edges { from to relation provider source validTo }
  }
}`;
const IMPACT = `query($id: ID!) {
  impact(id: $id) {
    root owners providers
    modelVersions { id stage } productionModelVersions { id }
    deployments { id status } productionDeployments { id }
    endpoints { id name }
    impactedDeployments { deployment { id } endpoint { id } endpointName provider owner endpointOwner stage trafficPercent shadowPercent live production atRisk incidentFeatures { id name } }
    atRisk { deployment { id } }
    summary { modelVersions productionModelVersions deployments liveDeployments productionDeployments atRiskDeployments endpoints
              byProvider { provider modelVersions deployments endpoints } byStage { stage modelVersions } }
  }
}`;

let cairn: TestCairn;
let trips: string; // feature driver_stats/v1/trips_today
let rating: string; // feature driver_stats/v1/avg_rating
let view: string;
let dataset: string;
let champion: string; // builtin model version in PRODUCTION, trained on the dataset, uses trips
let canary: string; // builtin model version in STAGING, uses trips
let smVersion: string; // a SageMaker model version using trips
const ids = { champion: '', canary: '', shadow: '', smDeployment: '', retired: '' };
const DAY = 24 * 3600 * 1000;

const ok = <T = any>(query: string, variables?: Record<string, unknown>) => cairn.data<T>(query, variables);

/** A deployment row with its DEPLOYED_AS and SERVED_BY edges, written directly as the deployments service will. */
async function deploy(
  modelVersionId: string,
  endpoint: { name: string; provider?: string; owner?: string },
  options: { name: string; traffic?: number; shadow?: number; status?: string; validFrom?: Date; validTo?: Date },
) {
  const provider = endpoint.provider ?? 'builtin';
  const endpointId = `endpoint:${provider}:${endpoint.name}`;
  await cairn.db.endpoint.upsert({
    where: { id: endpointId },
    update: {},
    create: {
      id: endpointId,
      providerName: provider,
      name: endpoint.name,
      nativeId: endpoint.name,
      status: 'IN_SERVICE',
      owner: endpoint.owner ?? null,
    },
  });
  const id = `deployment:${provider}:${endpoint.name}/${options.name}`;
  await cairn.db.deployment.create({
    data: {
      id,
      endpointId,
      modelVersionId,
      strategy: 'CANARY',
      status: options.status ?? 'ACTIVE',
      trafficPercent: options.traffic ?? 0,
      shadowPercent: options.shadow ?? 0,
      nativeId: options.name,
    },
  });
  const validity = {
    ...(options.validFrom ? { validFrom: options.validFrom } : {}),
    ...(options.validTo ? { validTo: options.validTo } : {}),
  };
  await cairn.db.lineageEdge.createMany({
    data: [
      {
        fromId: modelVersionId,
        fromKind: 'modelVersion',
        toId: id,
        toKind: 'deployment',
        relation: 'DEPLOYED_AS',
        providerName: provider,
        ...validity,
      },
      {
        fromId: id,
        fromKind: 'deployment',
        toId: endpointId,
        toKind: 'endpoint',
        relation: 'SERVED_BY',
        providerName: provider,
        ...validity,
      },
    ],
  });
  return id;
}

beforeAll(async () => {
  cairn = await startTestCairn();
  const applied = (await ok(APPLY, { input: FEATURE_VIEW_INPUT })).applyFeatureView;
  view = applied.id;
  trips = applied.features.find((f: { name: string }) => f.name === 'trips_today').id;
  rating = applied.features.find((f: { name: string }) => f.name === 'avg_rating').id;

  // A training dataset derived from avg_rating (rows written directly: lineage does not need its data).
  dataset = 'dataset:builtin:driver_training/1';
  await cairn.db.dataset.create({
    data: {
      id: dataset,
      providerName: 'builtin',
      name: 'driver_training',
      version: 1,
      contentHash: 'h',
      rowCount: 0,
      createdBy: 'data-team',
    },
  });
  await cairn.db.lineageEdge.create({
    data: {
      fromId: rating,
      fromKind: 'feature',
      toId: dataset,
      toKind: 'dataset',
      relation: 'DERIVED_FROM',
      providerName: 'builtin',
    },
  });

  champion = (await ok(REGISTER, { input: { model: 'eta', featureIds: [trips], trainingDatasetId: dataset } }))
    .registerModelVersion.id;
  canary = (await ok(REGISTER, { input: { model: 'eta', featureIds: [trips] } })).registerModelVersion.id;
  await cairn.db.modelVersion.update({ where: { id: champion }, data: { stage: 'PRODUCTION' } });
  await cairn.db.modelVersion.update({ where: { id: canary }, data: { stage: 'STAGING' } });

  // A SageMaker model version and endpoint using the same feature (as a sync would write them).
  await cairn.db.provider.create({ data: { name: 'sagemaker-prod', kind: 'SAGEMAKER' } });
  await cairn.db.registeredModel.create({
    data: { id: 'model:sagemaker-prod:eta-sm', providerName: 'sagemaker-prod', name: 'eta-sm', nativeId: 'eta-sm' },
  });
  smVersion = 'modelVersion:sagemaker-prod:eta-sm/1';
  await cairn.db.modelVersion.create({
    data: {
      id: smVersion,
      modelId: 'model:sagemaker-prod:eta-sm',
      version: 1,
      nativeId: 'eta-sm/1',
      stage: 'PRODUCTION',
      createdBy: 'sm-team',
    },
  });
  await cairn.db.lineageEdge.create({
    data: {
      fromId: trips,
      fromKind: 'feature',
      toId: smVersion,
      toKind: 'modelVersion',
      relation: 'USES_FEATURE',
      providerName: 'sagemaker-prod',
      source: 'IMPORTED',
    },
  });

  ids.champion = await deploy(champion, { name: 'eta-live' }, { name: 'blue', traffic: 90 });
  ids.canary = await deploy(canary, { name: 'eta-live' }, { name: 'green', traffic: 10 });
  ids.shadow = await deploy(canary, { name: 'eta-shadow' }, { name: 'mirror', traffic: 0, shadow: 100 });
  ids.smDeployment = await deploy(
    smVersion,
    { name: 'eta-sm-endpoint', provider: 'sagemaker-prod', owner: 'sm-serving' },
    { name: 'AllTraffic', traffic: 100 },
  );
  // Retired two days ago: the graph of five days ago still has it.
  ids.retired = await deploy(
    champion,
    { name: 'eta-old' },
    {
      name: 'v0',
      traffic: 0,
      status: 'RETIRED',
      validFrom: new Date(Date.now() - 10 * DAY),
      validTo: new Date(Date.now() - 2 * DAY),
    },
  );
}, 60_000);
afterAll(async () => {
  await cairn?.close();
});

describe('impact', () => {
  it('reaches every downstream model version, deployment and endpoint across providers, with production and live traffic', async () => {
    const { impact } = await ok(IMPACT, { id: trips });
    expect(impact.owners).toEqual(['ml-platform']);
    expect(impact.providers).toEqual(['builtin', 'sagemaker-prod']);
    expect(impact.modelVersions.map((m: { id: string }) => m.id).sort()).toEqual([champion, canary, smVersion].sort());
    // Filled in by the models subgraph through the gateway.
    expect(impact.modelVersions.find((m: { id: string }) => m.id === champion).stage).toBe('PRODUCTION');
    expect(impact.productionModelVersions.map((m: { id: string }) => m.id).sort()).toEqual(
      [champion, smVersion].sort(),
    );
    // The retired deployment's edges ended: it is not in today's graph.
    expect(impact.deployments.map((d: { id: string }) => d.id).sort()).toEqual(
      [ids.champion, ids.canary, ids.shadow, ids.smDeployment].sort(),
    );
    expect(impact.deployments.find((d: { id: string }) => d.id === ids.champion).status).toBe('ACTIVE');
    // Live traffic (blue 90, green 10, SageMaker 100); the shadow-only one deploys a STAGING version.
    expect(impact.productionDeployments.map((d: { id: string }) => d.id).sort()).toEqual(
      [ids.champion, ids.canary, ids.smDeployment].sort(),
    );
    expect(impact.endpoints.map((e: { name: string }) => e.name).sort()).toEqual([
      'eta-live',
      'eta-shadow',
      'eta-sm-endpoint',
    ]);
    const green = impact.impactedDeployments.find((d: any) => d.deployment.id === ids.canary);
    expect(green).toMatchObject({
      endpointName: 'eta-live',
      provider: 'builtin',
      stage: 'STAGING',
      trafficPercent: 10,
      live: true,
      production: true,
      atRisk: false,
    });
    const mirror = impact.impactedDeployments.find((d: any) => d.deployment.id === ids.shadow);
    expect(mirror).toMatchObject({ trafficPercent: 0, shadowPercent: 100, live: false, production: false });
    // Two owners per line: the model version's and the endpoint's (when the endpoint has one).
    expect(impact.impactedDeployments.find((d: any) => d.deployment.id === ids.smDeployment)).toMatchObject({
      endpointOwner: 'sm-serving',
    });
    expect(green.endpointOwner).toBeNull();
    expect(impact.summary).toEqual({
      modelVersions: 3,
      productionModelVersions: 2,
      deployments: 4,
      liveDeployments: 3,
      productionDeployments: 3,
      atRiskDeployments: 0,
      endpoints: 3,
      byProvider: [
        { provider: 'builtin', modelVersions: 2, deployments: 3, endpoints: 2 },
        { provider: 'sagemaker-prod', modelVersions: 1, deployments: 1, endpoints: 1 },
      ],
      byStage: [
        { stage: 'PRODUCTION', modelVersions: 2 },
        { stage: 'STAGING', modelVersions: 1 },
      ],
    });
  });

  it('of a feature view covers all its features; of a dataset, what was trained on it', async () => {
    const ofView = (await ok(IMPACT, { id: view })).impact;
    expect(ofView.owners).toEqual(['ml-platform']);
    expect(ofView.summary.modelVersions).toBe(3);
    const ofDataset = (await ok(IMPACT, { id: dataset })).impact;
    expect(ofDataset.owners).toEqual(['data-team']);
    expect(ofDataset.modelVersions.map((m: { id: string }) => m.id)).toEqual([champion]);
    expect(ofDataset.productionDeployments.map((d: { id: string }) => d.id)).toEqual([ids.champion]);
  });

  it('marks production deployments at risk while a feature upstream has an open incident, and lists them across providers', async () => {
    const incident = (
      await ok(INCIDENT, { input: { featureId: rating, severity: 'HIGH', description: 'ratings stuck at 5.0' } })
    ).reportFeatureIncident.id;
    // avg_rating -> dataset -> champion -> blue: only blue is at risk, even when asking about trips_today.
    const { impact } = await ok(IMPACT, { id: trips });
    expect(impact.atRisk.map((d: any) => d.deployment.id)).toEqual([ids.champion]);
    const blue = impact.impactedDeployments.find((d: any) => d.deployment.id === ids.champion);
    expect(blue.incidentFeatures).toEqual([{ id: rating, name: 'avg_rating' }]);
    expect(impact.summary.atRiskDeployments).toBe(1);

    await ok(INCIDENT, { input: { featureId: trips, severity: 'LOW', description: 'late' } });
    const all = (
      await ok(
        `{ atRiskDeployments { totalCount nodes { deployment { id } provider trafficPercent incidentFeatures { id } } } }`,
      )
    ).atRiskDeployments.nodes;
    expect(all.map((d: any) => d.deployment.id).sort()).toEqual([ids.champion, ids.canary, ids.smDeployment].sort());
    // Paged two at a time: the same deployments, each once, by provider, endpoint name and ID.
    const AT_RISK_PAGE = `query($after: String) { atRiskDeployments(first: 2, after: $after) {
      totalCount nodes { deployment { id } provider endpointName } pageInfo { hasNextPage endCursor } } }`;
    const firstPage = (await ok(AT_RISK_PAGE, { after: null })).atRiskDeployments;
    expect(firstPage).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true } });
    const secondPage = (await ok(AT_RISK_PAGE, { after: firstPage.pageInfo.endCursor })).atRiskDeployments;
    expect(secondPage).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });
    const paged = [...firstPage.nodes, ...secondPage.nodes];
    const order = (d: any) => [d.provider, d.endpointName, d.deployment.id];
    expect(paged.map((d: any) => d.deployment.id).sort()).toEqual(all.map((d: any) => d.deployment.id).sort());
    expect(paged.map(order)).toEqual(
      [...paged]
        .map(order)
        .sort((a, b) => a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]) || (a[2] < b[2] ? -1 : 1)),
    );
    expect(
      all
        .find((d: any) => d.deployment.id === ids.champion)
        .incidentFeatures.map((f: { id: string }) => f.id)
        .sort(),
    ).toEqual([trips, rating].sort());
    expect(all.find((d: any) => d.deployment.id === ids.smDeployment)).toMatchObject({
      provider: 'sagemaker-prod',
      trafficPercent: 100,
    });

    await cairn.db.featureIncident.updateMany({ data: { status: 'RESOLVED' } });
    expect((await ok(`{ atRiskDeployments { totalCount nodes { deployment { id } } } }`)).atRiskDeployments).toEqual({
      totalCount: 0,
      nodes: [],
    });
    expect((await ok(IMPACT, { id: trips })).impact.atRisk).toEqual([]);
    expect(incident).toBeTruthy();
  });

  it('answers NOT_FOUND for an unknown asset and BAD_USER_INPUT for a malformed ID or an endpoint', async () => {
    const unknown = await cairn.query(IMPACT, { id: 'feature:builtin:nope/v1/x' });
    expect(unknown.errors![0]!.extensions!.code).toBe('NOT_FOUND');
    const malformed = await cairn.query(IMPACT, { id: 'garbage' });
    expect(malformed.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    const endpoint = await cairn.query(IMPACT, { id: 'endpoint:builtin:eta-live' });
    expect(endpoint.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('impact in CI', () => {
  it('the README query lists the affected production endpoints with owners and traffic share', async () => {
    const query = `query($id: ID!) { impact(id: $id) { owners summary { productionDeployments atRiskDeployments byProvider { provider deployments } }
      impactedDeployments { production endpointName provider trafficPercent shadowPercent owner endpointOwner stage atRisk
                            endpoint { name } modelVersion { model { name } version } } } }`;
    const { impact } = await ok(query, { id: view });
    const production = impact.impactedDeployments.filter((d: any) => d.production);
    expect(
      production
        .map(
          (d: any) => `${d.provider}/${d.endpoint.name} ${d.trafficPercent}% ${d.owner} ${d.modelVersion.model.name}`,
        )
        .sort(),
    ).toEqual(
      [
        'builtin/eta-live 10% local eta',
        'builtin/eta-live 90% local eta',
        'sagemaker-prod/eta-sm-endpoint 100% sm-team eta-sm',
      ].sort(),
    );
    expect(production.map((d: any) => d.endpointOwner).sort()).toEqual(['sm-serving', null, null].sort());
  });

  it('cairn impact exits 5 when a production deployment depends on the asset, 0 when none does', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const run = async (args: string[]) => {
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['cli/cairn.mjs', 'impact', ...args, '--url', cairn.url],
          { cwd: root, env: { ...process.env, LOG_LEVEL: 'silent' } },
        );
        return { code: 0, stdout };
      } catch (error) {
        return error as { code: number; stdout: string };
      }
    };
    const affected = await run([trips]);
    expect(affected.code).toBe(5);
    expect(affected.stdout).toContain('PRODUCTION sagemaker-prod/eta-sm-endpoint');
    expect(affected.stdout).toContain('3 production deployment(s) depend on it');
    const lonely = (await ok(APPLY, { input: { ...FEATURE_VIEW_INPUT, name: 'unused_view' } })).applyFeatureView.id;
    const none = await run([lonely]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no production deployment depends on it');
    expect((await run(['feature:builtin:nope/v1/x'])).code).toBe(1);
  }, 60_000);
});

describe('lineage', () => {
  it('upstream of a deployment reaches the model version, the dataset and the features; depth bounds the walk', async () => {
    const { lineage } = await ok(LINEAGE, { id: ids.champion, direction: 'UPSTREAM' });
    expect(lineage.truncated).toBe(false);
    expect(lineage.nodes.map((n: { id: string }) => n.id).sort()).toEqual(
      [ids.champion, champion, dataset, trips, rating].sort(),
    );
    expect(lineage.nodes.find((n: { id: string }) => n.id === rating)).toEqual({
      id: rating,
      kind: 'feature',
      name: 'driver_stats/v1/avg_rating',
      provider: 'builtin',
      depth: 3,
    });
    expect(lineage.edges.map((e: any) => `${e.relation}:${e.from}->${e.to}`).sort()).toEqual(
      [
        `DEPLOYED_AS:${champion}->${ids.champion}`,
        `TRAINED_ON:${dataset}->${champion}`,
        `USES_FEATURE:${trips}->${champion}`,
        `DERIVED_FROM:${rating}->${dataset}`,
      ].sort(),
    );
    const one = (await ok(LINEAGE, { id: ids.champion, direction: 'UPSTREAM', depth: 1 })).lineage;
    expect(one.nodes.map((n: { id: string }) => n.id).sort()).toEqual([ids.champion, champion].sort());
    expect(one.edges).toHaveLength(1);
  });

  it('downstream and both ways, with entity fields filled in by the owning subgraphs and a kinds filter', async () => {
    const down = (await ok(LINEAGE, { id: champion, direction: 'DOWNSTREAM' })).lineage;
    expect(down.nodes.map((n: { id: string }) => n.id).sort()).toEqual(
      [champion, ids.champion, 'endpoint:builtin:eta-live'].sort(),
    );
    const both = (await ok(LINEAGE, { id: champion })).lineage;
    expect(both.nodes).toHaveLength(6); // itself, dataset, two features, deployment, endpoint; not its sibling versions
    const filled = await ok(
      `query($id: ID!) { lineage(id: $id, kinds: ["feature", "endpoint"]) { nodes { kind feature { name dtype } endpoint { name } modelVersion { stage } } } }`,
      { id: champion },
    );
    expect(filled.lineage.nodes).toEqual(
      expect.arrayContaining([
        { kind: 'modelVersion', feature: null, endpoint: null, modelVersion: { stage: 'PRODUCTION' } },
        { kind: 'feature', feature: { name: 'trips_today', dtype: 'INT64' }, endpoint: null, modelVersion: null },
        { kind: 'endpoint', feature: null, endpoint: { name: 'eta-live' }, modelVersion: null },
      ]),
    );
    expect(filled.lineage.nodes).toHaveLength(4);
    const ofView = (await ok(LINEAGE, { id: view, direction: 'DOWNSTREAM', depth: 1 })).lineage;
    expect(
      ofView.edges
        .filter((e: any) => e.relation === 'HAS_FEATURE')
        .map((e: any) => e.to)
        .sort(),
    ).toEqual([trips, rating].sort());
  });

  it('asOf answers the graph as it was: a retired deployment shows for last week, not today', async () => {
    const today = (await ok(LINEAGE, { id: champion, direction: 'DOWNSTREAM' })).lineage;
    expect(today.nodes.map((n: { id: string }) => n.id)).not.toContain(ids.retired);
    const before = (
      await ok(LINEAGE, { id: champion, direction: 'DOWNSTREAM', asOf: new Date(Date.now() - 5 * DAY).toISOString() })
    ).lineage;
    expect(before.nodes.map((n: { id: string }) => n.id)).toEqual(
      expect.arrayContaining([ids.retired, 'endpoint:builtin:eta-old']),
    );
    expect(before.edges.find((e: any) => e.to === ids.retired).validTo).toBeTruthy();
    // Before the retired deployment existed, and before anything else was recorded.
    const earlier = (
      await ok(LINEAGE, { id: champion, direction: 'DOWNSTREAM', asOf: new Date(Date.now() - 20 * DAY).toISOString() })
    ).lineage;
    expect(earlier.nodes.map((n: { id: string }) => n.id)).toEqual([champion]);
  });

  it('terminates on a cycle and cuts a huge fan-out at the limit with the flag set', async () => {
    const a = 'modelVersion:builtin:loop/1';
    const b = 'modelVersion:builtin:loop/2';
    const c = 'modelVersion:builtin:loop/3';
    await cairn.db.lineageEdge.createMany({
      data: [
        {
          fromId: a,
          fromKind: 'modelVersion',
          toId: b,
          toKind: 'modelVersion',
          relation: 'FINE_TUNED_FROM',
          providerName: 'builtin',
        },
        {
          fromId: b,
          fromKind: 'modelVersion',
          toId: c,
          toKind: 'modelVersion',
          relation: 'FINE_TUNED_FROM',
          providerName: 'builtin',
        },
        {
          fromId: c,
          fromKind: 'modelVersion',
          toId: a,
          toKind: 'modelVersion',
          relation: 'FINE_TUNED_FROM',
          providerName: 'builtin',
        },
      ],
    });
    const loop = (await ok(LINEAGE, { id: a, depth: 20 })).lineage;
    expect(loop.nodes.map((n: { id: string }) => n.id).sort()).toEqual([a, b, c]);
    expect(loop.edges).toHaveLength(3);
    expect(loop.truncated).toBe(false);

    const hub = 'feature:builtin:hub/v1/x';
    await cairn.db.lineageEdge.createMany({
      data: Array.from({ length: 40 }, (_, i) => ({
        fromId: hub,
        fromKind: 'feature',
        toId: `modelVersion:builtin:fan/${i}`,
        toKind: 'modelVersion',
        relation: 'USES_FEATURE',
        providerName: 'builtin',
      })),
    });
    const cut = (await ok(LINEAGE, { id: hub, limit: 10 })).lineage;
    expect(cut.truncated).toBe(true);
    expect(cut.nodes).toHaveLength(10);
    expect(cut.nodes[0].id).toBe(hub);
    expect(cut.edges).toHaveLength(9);
    const whole = (await ok(LINEAGE, { id: hub, limit: 41 })).lineage;
    expect(whole.truncated).toBe(false);
    expect(whole.nodes).toHaveLength(41);
  });

  it('answers NOT_FOUND for an unknown asset and BAD_USER_INPUT for bad arguments', async () => {
    expect((await cairn.query(LINEAGE, { id: 'feature:builtin:nope/v1/x' })).errors![0]!.extensions!.code).toBe(
      'NOT_FOUND',
    );
    for (const variables of [
      { id: 'garbage' },
      { id: trips, depth: 99 },
      { id: trips, limit: 0 },
      { id: trips, limit: 10_001 },
      { id: trips, kinds: ['bogus'] },
    ]) {
      expect((await cairn.query(LINEAGE, variables)).errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    }
    // A feature with no edges yet is known from the catalog.
    const lonely = (await ok(APPLY, { input: { ...FEATURE_VIEW_INPUT, name: 'lonely' } })).applyFeatureView.features[0]
      .id;
    expect((await ok(LINEAGE, { id: lonely })).lineage.nodes).toHaveLength(1);
  });
});

describe('batching', () => {
  /** A feature used by `n` model versions, each deployed live behind its own endpoint. */
  async function estate(name: string, n: number) {
    const feature = (await ok(APPLY, { input: { ...FEATURE_VIEW_INPUT, name } })).applyFeatureView.features[0].id;
    for (let i = 0; i < n; i++) {
      const version = (await ok(REGISTER, { input: { model: `${name}-m${i}`, featureIds: [feature] } }))
        .registerModelVersion.id;
      await cairn.db.modelVersion.update({ where: { id: version }, data: { stage: 'PRODUCTION' } });
      await deploy(version, { name: `${name}-e${i}` }, { name: 'd', traffic: 100 });
    }
    await cairn.db.featureIncident.create({ data: { featureId: feature, severity: 'LOW', description: 'x' } });
    return feature;
  }

  it('sends as many SQL statements for 50 model versions (151 nodes) as for 5', async () => {
    const small = await estate('small_estate', 5);
    const large = await estate('large_estate', 50);
    const FULL = `query($id: ID!) { impact(id: $id) { modelVersions { id stage model { name } } deployments { id status } endpoints { name } impactedDeployments { atRisk incidentFeatures { name } } } }`;
    const LINEAGE_FULL = `query($id: ID!) { lineage(id: $id) { nodes { id modelVersion { stage } deployment { status } endpoint { name } } edges { from } } }`;
    for (const query of [FULL, LINEAGE_FULL]) {
      let smallAnswer: any;
      let largeAnswer: any;
      const smallCount = await countStatements(async () => (smallAnswer = await ok(query, { id: small })));
      const largeCount = await countStatements(async () => (largeAnswer = await ok(query, { id: large })));
      expect(JSON.stringify(largeAnswer).length).toBeGreaterThan(5 * JSON.stringify(smallAnswer).length);
      expect(largeCount).toBe(smallCount);
      // Each walk is BEGIN+SET LOCAL jit, the statement, COMMIT; plus one batch per entity type the owners resolve.
      expect(smallCount).toBeLessThanOrEqual(12);
    }
    await cairn.db.featureIncident.updateMany({ data: { status: 'RESOLVED' } });
  }, 60_000);
});
