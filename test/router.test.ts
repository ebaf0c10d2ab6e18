import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inferenceRequestHandler } from '../serving/http.ts';
import { InferenceRouter } from '../serving/router.ts';
import {
  modelServerThatAnswers,
  modelServerThatAnswersSlowly,
  modelServerThatFailsWith500,
  startModelServer,
  type FakeModelServer,
} from '../emulators/model-server.ts';
import { countStatements, startTestCairn, waitFor, type TestCairn } from './testkit.ts';

/** The test's "now": the router's per-deployment window and the feature store's TTL read it. */
let now = new Date('2026-03-01T12:00:00Z');
const TIMEOUT_MS = 1000;
const MAX_BODY = 4096;

let cairn: TestCairn;
const servers: FakeModelServer[] = [];
let versions: string[];

async function server(start: Promise<FakeModelServer>) {
  const started = await start;
  servers.push(started);
  return started;
}

beforeAll(async () => {
  cairn = await startTestCairn(
    {
      CAIRN_ROUTER_TIMEOUT_MS: String(TIMEOUT_MS),
      CAIRN_ROUTER_MAX_BODY_BYTES: String(MAX_BODY),
      CAIRN_ROLLOUT_POLL_SECONDS: '1',
    },
    { clock: () => now },
  );
  versions = [];
  for (let i = 0; i < 3; i++) {
    const answer = await cairn.query(
      `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`,
      {
        input: { model: 'eta', artifactUri: `s3://models/eta/${i + 1}` },
      },
    );
    expect(answer.errors).toBeUndefined();
    versions.push(answer.data.registerModelVersion.id);
  }
});
afterAll(async () => {
  await cairn?.close();
  await Promise.all(servers.map((s) => s.close()));
});

interface DeploymentRow {
  server?: FakeModelServer | string | null;
  traffic?: number;
  shadow?: number;
  featureView?: string;
  entityKeyField?: string;
}

const endpointIds = new Map<string, string>();

/**
 * An endpoint and its deployments, made through the deployments mutations in order (the first
 * takes all traffic, later ones join as A/B arms or shadows), then set to the rows' split.
 */
async function endpointWith(name: string, rows: DeploymentRow[]): Promise<string[]> {
  const { createEndpoint } = await cairn.data(
    `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }`,
    { input: { name } },
  );
  endpointIds.set(name, createEndpoint.id);
  const ids: string[] = [];
  for (const [i, row] of rows.entries()) {
    const strategy = i === 0 ? 'RECREATE' : row.shadow ? 'SHADOW' : 'AB_TEST';
    const input = {
      endpointId: createEndpoint.id,
      modelVersionId: versions[i % versions.length],
      strategy,
      trafficPercent: strategy === 'SHADOW' ? row.shadow : strategy === 'AB_TEST' ? 1 : undefined,
      modelServerUrl: typeof row.server === 'string' ? row.server : row.server!.url,
      featureView: row.featureView,
      entityKeyField: row.entityKeyField,
    };
    const { deployModelVersion } = await cairn.data(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`,
      { input },
    );
    ids.push(deployModelVersion.id);
  }
  if (rows.length > 1) await setSplit(name, Object.fromEntries(ids.map((id, i) => [id, rows[i]!.traffic ?? 0])));
  return ids;
}

/** Sets the live split by setTrafficSplit (shadow shares are kept). */
async function setSplit(name: string, shares: Record<string, number>) {
  const split = Object.entries(shares)
    .filter(([, percent]) => percent > 0)
    .map(([deploymentId, percent]) => ({ deploymentId, percent }));
  await cairn.data(`mutation($input: SetTrafficSplitInput!) { setTrafficSplit(input: $input) { id } }`, {
    input: { endpointId: endpointIds.get(name), split },
  });
}

async function predict(name: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${cairn.url}/endpoints/${name}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    deployment: response.headers.get('x-cairn-deployment'),
    body: (await response.json()) as any,
  };
}

async function infer(name: string, body: unknown) {
  const response = await fetch(`${cairn.url}/v2/models/${name}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    deployment: response.headers.get('x-cairn-deployment'),
    body: (await response.json()) as any,
  };
}

async function metricsText() {
  const response = await fetch(`${cairn.url}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** A sample's value in Prometheus text, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('routing by the live split', () => {
  it('splits 90/10 roughly 90/10 over 400 calls, names the deployment that served, and each server answered what it was sent', async () => {
    const stable = await server(modelServerThatAnswers('stable', 1));
    const canary = await server(modelServerThatAnswers('canary', 2));
    const [stableId, canaryId] = await endpointWith('split-90-10', [
      { server: stable, traffic: 90 },
      { server: canary, traffic: 10 },
    ]);
    const served: Record<string, number> = {};
    for (let i = 0; i < 400; i++) {
      const answer = await predict('split-90-10', { x: i }, { 'x-cairn-routing-key': `user-${i}` });
      expect(answer.status).toBe(200);
      served[answer.deployment!] = (served[answer.deployment!] ?? 0) + 1;
      expect(answer.body.predictions).toEqual([answer.deployment === canaryId ? 2 : 1]);
    }
    expect(Object.keys(served).sort()).toEqual([stableId, canaryId].sort());
    expect(served[canaryId!]).toBeGreaterThanOrEqual(20);
    expect(served[canaryId!]).toBeLessThanOrEqual(70);
    expect(stable.calls.predict).toBe(served[stableId!]);
    expect(canary.calls.predict).toBe(served[canaryId!]);
    expect(stable.lastPath).toBe('/predict');
    // Sequential calls reuse kept-alive connections instead of opening one per call.
    expect(stable.connections).toBeLessThanOrEqual(2);
    expect(canary.connections).toBeLessThanOrEqual(2);
  });

  it('splits by weighted random draws when no routing key is given', async () => {
    const a = await server(modelServerThatAnswers('a', 1));
    const b = await server(modelServerThatAnswers('b', 2));
    await endpointWith('random-split', [
      { server: a, traffic: 70 },
      { server: b, traffic: 30 },
    ]);
    await Promise.all(Array.from({ length: 200 }, () => predict('random-split', {})));
    expect(a.calls.predict + b.calls.predict).toBe(200);
    expect(b.calls.predict).toBeGreaterThanOrEqual(25);
    expect(b.calls.predict).toBeLessThanOrEqual(95);
  });

  it('keeps a routing key on the same deployment while the split is unchanged; a growing canary keeps the keys it had', async () => {
    const stable = await server(modelServerThatAnswers('sticky-stable', 1));
    const canary = await server(modelServerThatAnswers('sticky-canary', 2));
    const [, canaryId] = await endpointWith('sticky', [
      { server: stable, traffic: 50 },
      { server: canary, traffic: 50 },
    ]);
    const before = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const key = `customer-${i}`;
      const first = await predict('sticky', {}, { 'x-cairn-routing-key': key });
      for (let repeat = 0; repeat < 3; repeat++)
        expect((await predict('sticky', {}, { 'x-cairn-routing-key': key })).deployment).toBe(first.deployment);
      before.set(key, first.deployment!);
    }
    expect(new Set(before.values()).size).toBe(2);
    const [stableId] = [...new Set(before.values())].filter((id) => id !== canaryId);
    await setSplit('sticky', { [stableId!]: 10, [canaryId!]: 90 });
    for (const [key, deployment] of before) {
      if (deployment === canaryId)
        expect((await predict('sticky', {}, { 'x-cairn-routing-key': key })).deployment).toBe(canaryId);
    }
  });

  it('reads a changed split at once after invalidate, and serves from its cache without the database otherwise', async () => {
    const a = await server(modelServerThatAnswers('cache-a', 1));
    const b = await server(modelServerThatAnswers('cache-b', 2));
    const [aId, bId] = await endpointWith('cached', [
      { server: a, traffic: 100 },
      { server: b, traffic: 0 },
    ]);
    expect((await predict('cached', {})).deployment).toBe(aId);
    const statements = await countStatements(
      () => Promise.all(Array.from({ length: 20 }, () => predict('cached', {}))),
      1,
    );
    expect(statements).toBeLessThanOrEqual(1);
    await setSplit('cached', { [aId!]: 0, [bId!]: 100 });
    expect((await predict('cached', {})).deployment).toBe(bId);
    // A change made elsewhere (no invalidate) is seen once the cached table expires (about 1 s).
    await cairn.db.deployment.update({ where: { id: aId! }, data: { trafficPercent: 100 } });
    await cairn.db.deployment.update({ where: { id: bId! }, data: { trafficPercent: 0 } });
    await waitFor(async () => ((await predict('cached', {})).deployment === aId ? true : undefined), {
      timeoutMs: 5000,
      what: 'the split to expire from the cache',
    });
  });
});

describe('shadow traffic', () => {
  it('mirrors to the shadow deployment, whose answer, failure or slowness never reaches the caller', async () => {
    const live = await server(modelServerThatAnswers('live', 1));
    const shadow = await server(modelServerThatAnswers('shadow', 99));
    const [liveId, shadowId] = await endpointWith('shadowed', [
      { server: live, traffic: 100 },
      { server: shadow, shadow: 100 },
    ]);
    for (let i = 0; i < 5; i++) {
      const answer = await predict('shadowed', { x: i });
      expect(answer).toMatchObject({ status: 200, deployment: liveId, body: { model: 'live', predictions: [1] } });
    }
    await waitFor(async () => (shadow.calls.predict === 5 ? true : undefined), {
      timeoutMs: 5000,
      what: 'the mirrored calls',
    });
    expect(shadow.lastRequest).toEqual({ x: 4 });

    shadow.setScenario({ kind: 'failsWith500' });
    const failing = await predict('shadowed', { x: 5 });
    expect(failing).toMatchObject({ status: 200, deployment: liveId, body: { predictions: [1] } });
    await waitFor(async () => (shadow.calls.predict === 6 ? true : undefined), {
      timeoutMs: 5000,
      what: 'the failing mirror',
    });

    shadow.setScenario({ kind: 'answersSlowly', delayMs: 2500 });
    const started = performance.now();
    const slow = await predict('shadowed', { x: 6 });
    expect(slow.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS);

    await waitFor(
      async () => {
        const stats = cairn.router!.stats.statsSince([shadowId!], new Date(now.getTime() - 60_000)).get(shadowId!)!;
        return stats.requests === 7 ? stats : undefined;
      },
      { timeoutMs: 5000, what: 'the slow mirror to be recorded' },
    ).then((stats) => expect(stats.errors).toBe(2)); // a 500 and a timeout
    const text = await metricsText();
    expect(
      sample(text, 'cairn_router_requests_total', {
        endpoint: 'shadowed',
        deployment: shadowId!,
        shadow: 'true',
        outcome: 'success',
      }),
    ).toBe(5);
    expect(
      sample(text, 'cairn_router_requests_total', {
        endpoint: 'shadowed',
        deployment: shadowId!,
        shadow: 'true',
        outcome: 'error',
      }),
    ).toBe(1);
    expect(
      sample(text, 'cairn_router_requests_total', {
        endpoint: 'shadowed',
        deployment: shadowId!,
        shadow: 'true',
        outcome: 'timeout',
      }),
    ).toBe(1);
    expect(
      sample(text, 'cairn_router_requests_total', {
        endpoint: 'shadowed',
        deployment: liveId!,
        shadow: 'false',
        outcome: 'success',
      }),
    ).toBe(7);
  });
});

describe('shadow concurrency bound', () => {
  it('drops mirrors past the bound instead of queueing them, and counts the drops', async () => {
    const live = await server(modelServerThatAnswers('bound-live', 1));
    const shadow = await server(modelServerThatAnswersSlowly('bound-shadow', 1000));
    await endpointWith('bounded', [
      { server: live, traffic: 100 },
      { server: shadow, shadow: 100 },
    ]);
    // A router of its own with room for one mirror at a time, on the same catalog.
    const router = new InferenceRouter({
      db: cairn.db,
      features: cairn.services.providerInstances,
      timeoutMs: 5000,
      maxBodyBytes: 4096,
      shadowConcurrency: 1,
    });
    const handle = inferenceRequestHandler(router);
    const http = createServer((req, res) => void (handle(req, res) || res.writeHead(404).end()));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          fetch(`${url}/endpoints/bounded/predict`, { method: 'POST', body: '{}' }).then((r) => r.status),
        ),
      );
      expect(answers).toEqual([200, 200, 200, 200, 200]);
      await waitFor(async () => (shadow.calls.predict >= 1 ? true : undefined), {
        timeoutMs: 5000,
        what: 'the one mirror',
      });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const dropped = sample(metrics, 'cairn_router_shadow_dropped_total', { endpoint: 'bounded' })!;
      expect(shadow.calls.predict + dropped).toBe(5);
      expect(dropped).toBeGreaterThanOrEqual(3);
    } finally {
      await new Promise((resolve) => http.close(resolve));
      await router.close();
    }
    expect(shadow.calls.predict).toBeLessThanOrEqual(2);
  });
});

describe('feature enrichment', () => {
  beforeAll(async () => {
    const view = await cairn.query(
      `mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { id } }`,
      {
        input: {
          name: 'riders',
          entity: 'rider',
          joinKey: 'rider_id',
          ttlSeconds: 86_400,
          features: [
            { name: 'trips', dtype: 'INT64' },
            { name: 'rating', dtype: 'FLOAT64' },
            { name: 'tier', dtype: 'STRING' },
          ],
        },
      },
    );
    expect(view.errors).toBeUndefined();
    const eventTime = new Date(now.getTime() - 600_000).toISOString();
    const ingest = await cairn.query(
      `mutation($input: IngestFeaturesInput!) { ingestFeatures(input: $input) { accepted } }`,
      {
        input: {
          featureView: 'riders',
          rows: [
            { entityKey: 'r1', eventTime, values: { trips: 3, rating: 4.5, tier: 'gold' } },
            { entityKey: 'r2', eventTime, values: { trips: 7, rating: 3.9, tier: 'silver' } },
          ],
        },
      },
    );
    expect(ingest.data.ingestFeatures.accepted).toBe(2);
    const run = await cairn.query(`mutation { materialize(input: { featureView: "riders" }) { id } }`);
    await waitFor(
      async () => {
        const status = (
          await cairn.query(`query($id: ID!) { materializationRun(id: $id) { status } }`, {
            id: run.data.materialize.id,
          })
        ).data.materializationRun.status;
        return status === 'SUCCEEDED'
          ? true
          : status === 'FAILED'
            ? Promise.reject(new Error('materialization failed'))
            : undefined;
      },
      { what: 'materialization' },
    );
  });

  it("adds the entity's online features to a predict body, nulls for an unknown entity, one lookup per batch", async () => {
    const model = await server(modelServerThatAnswers('enriched', 5));
    await endpointWith('enriched', [
      { server: model, traffic: 100, featureView: 'riders', entityKeyField: 'rider_id' },
    ]);
    const answer = await predict('enriched', { rider_id: 'r1', distance_km: 4.2, features: { trips: 1000 } });
    expect(answer.status).toBe(200);
    expect(model.lastRequest).toEqual({
      rider_id: 'r1',
      distance_km: 4.2,
      features: { trips: 3, rating: 4.5, tier: 'gold' },
    });

    expect((await predict('enriched', { rider_id: 'nobody' })).status).toBe(200);
    expect(model.lastRequest.features).toEqual({ trips: null, rating: null, tier: null });

    const reads: string[][] = [];
    const store = cairn.onlineStore;
    const read = store.read.bind(store);
    store.read = (view, keys, features) => (reads.push([...keys]), read(view, keys, features));
    try {
      const batch = await predict('enriched', {
        instances: [{ rider_id: 'r2' }, { rider_id: 'r1' }, { rider_id: 'r2' }, { rider_id: 'zz' }],
      });
      expect(batch.body.predictions).toHaveLength(4);
    } finally {
      store.read = read;
    }
    expect(reads).toEqual([['r2', 'r1', 'zz']]);
    expect(model.lastRequest.instances.map((i: any) => i.features.trips)).toEqual([7, 3, 7, null]);

    const missing = await predict('enriched', { distance_km: 1 });
    expect(missing).toMatchObject({ status: 400, body: { error: { code: 'BAD_USER_INPUT' } } });
    expect(missing.body.error.message).toContain('rider_id');
  });

  it('adds one v2 input tensor per feature, keyed by the named input tensor', async () => {
    const model = await server(modelServerThatAnswers('enriched-v2', 6));
    const [id] = await endpointWith('enriched-v2', [
      { server: model, traffic: 100, featureView: 'riders', entityKeyField: 'rider_id' },
    ]);
    const answer = await infer('enriched-v2', {
      id: 'req-1',
      inputs: [
        { name: 'rider_id', shape: [2], datatype: 'BYTES', data: ['r1', 'ghost'] },
        { name: 'distance', shape: [2], datatype: 'FP64', data: [1.5, 2.5] },
      ],
    });
    expect(answer).toMatchObject({
      status: 200,
      deployment: id,
      body: { model_name: 'eta', id: 'req-1', outputs: [{ name: 'score', data: [6, 6] }] },
    });
    expect(model.lastPath).toBe('/v2/models/eta/infer');
    expect(model.lastRequest.inputs).toEqual([
      { name: 'rider_id', shape: [2], datatype: 'BYTES', data: ['r1', 'ghost'] },
      { name: 'distance', shape: [2], datatype: 'FP64', data: [1.5, 2.5] },
      { name: 'trips', shape: [2], datatype: 'INT64', data: [3, null] },
      { name: 'rating', shape: [2], datatype: 'FP64', data: [4.5, null] },
      { name: 'tier', shape: [2], datatype: 'BYTES', data: ['gold', null] },
    ]);
  });
});

describe('Open Inference Protocol v2', () => {
  it('forwards infer to {base}/v2/models/{model}/infer and answers metadata and readiness under the endpoint name', async () => {
    const model = await startModelServer({ name: 'v2', score: 0.25, basePath: '/serving' });
    servers.push(model);
    const [id] = await endpointWith('v2-endpoint', [{ server: model, traffic: 100 }]);
    const answer = await infer('v2-endpoint', {
      inputs: [{ name: 'x', shape: [3], datatype: 'FP64', data: [1, 2, 3] }],
    });
    expect(answer).toMatchObject({
      status: 200,
      deployment: id,
      body: { outputs: [{ name: 'score', shape: [3], datatype: 'FP64', data: [0.25, 0.25, 0.25] }] },
    });
    expect(model.lastPath).toBe('/serving/v2/models/eta/infer');
    expect(model.lastRequest.inputs[0].data).toEqual([1, 2, 3]);

    const metadata = await fetch(`${cairn.url}/v2/models/v2-endpoint`);
    expect(metadata.status).toBe(200);
    expect(metadata.headers.get('x-cairn-deployment')).toBe(id);
    expect(await metadata.json()).toMatchObject({
      name: 'v2-endpoint',
      deployment: id,
      platform: 'fake',
      outputs: [{ name: 'score' }],
    });
    const ready = await fetch(`${cairn.url}/v2/models/v2-endpoint/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ name: 'v2-endpoint', ready: true });

    const noInputs = await infer('v2-endpoint', { outputs: [] });
    expect(noInputs).toMatchObject({ status: 400, body: { error: { code: 'BAD_USER_INPUT' } } });
  });
});

describe('errors', () => {
  it('answers each failure with its status and stable code', async () => {
    const healthy = await server(modelServerThatAnswers('healthy', 1));
    const crashing = await server(modelServerThatFailsWith500('crashing'));
    const slow = await server(modelServerThatAnswersSlowly('slow', TIMEOUT_MS * 3));
    const rejecting = await server(
      startModelServer({ name: 'rejecting', score: 0, scenario: { kind: 'rejectsInput' } }),
    );
    const gone = await startModelServer({ name: 'gone', score: 0 });
    await gone.close();
    await endpointWith('healthy', [{ server: healthy, traffic: 100 }]);
    await endpointWith('nothing-live', []);
    const [crashingId] = await endpointWith('crashing', [{ server: crashing, traffic: 100 }]);
    const [slowId] = await endpointWith('slow', [{ server: slow, traffic: 100 }]);
    await endpointWith('rejecting', [{ server: rejecting, traffic: 100 }]);
    await endpointWith('gone', [{ server: gone.url, traffic: 100 }]);

    const rejectedBefore = (code: string, text: string) => sample(text, 'cairn_router_rejected_total', { code }) ?? 0;
    const before = await metricsText();
    const expectError = (answer: Awaited<ReturnType<typeof predict>>, status: number, code: string) => {
      expect(answer.status).toBe(status);
      expect(answer.body.error.code).toBe(code);
      expect(typeof answer.body.error.message).toBe('string');
    };
    expectError(await predict('no-such-endpoint', {}), 404, 'NOT_FOUND');
    expectError(await predict('no-such-endpoint', '{"not json'), 404, 'NOT_FOUND');
    expectError(await predict('nothing-live', {}), 503, 'NO_LIVE_DEPLOYMENT');
    const crashed = await predict('crashing', { secret: 'personal data' });
    expectError(crashed, 502, 'UPSTREAM_UNAVAILABLE');
    expect(crashed.deployment).toBe(crashingId);
    expect(JSON.stringify(crashed.body)).not.toContain('model crashed');
    expectError(await predict('gone', {}), 502, 'UPSTREAM_UNAVAILABLE');
    const started = performance.now();
    const timedOut = await predict('slow', {});
    expectError(timedOut, 504, 'UPSTREAM_TIMEOUT');
    expect(timedOut.deployment).toBe(slowId);
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS * 3);
    expectError(await predict('healthy', '{"not json'), 400, 'BAD_USER_INPUT');
    expectError(await predict('healthy', '[1, 2]'), 400, 'BAD_USER_INPUT');
    expectError(await predict('healthy', { blob: 'x'.repeat(MAX_BODY) }), 413, 'PAYLOAD_TOO_LARGE');
    // A model server's own 4xx (the caller's input) is passed through as it answered.
    const rejected = await predict('rejecting', { x: 'bad' });
    expect(rejected).toMatchObject({ status: 422, body: { error: 'input rejected by the model' } });
    // The router still serves after all of these.
    expect((await predict('healthy', {})).status).toBe(200);

    const text = await metricsText();
    expect(
      sample(text, 'cairn_router_rejected_total', { code: 'NOT_FOUND' })! - rejectedBefore('NOT_FOUND', before),
    ).toBe(2);
    expect(
      sample(text, 'cairn_router_rejected_total', { code: 'NO_LIVE_DEPLOYMENT' })! -
        rejectedBefore('NO_LIVE_DEPLOYMENT', before),
    ).toBe(1);
    expect(
      sample(text, 'cairn_router_rejected_total', { code: 'BAD_USER_INPUT' })! -
        rejectedBefore('BAD_USER_INPUT', before),
    ).toBe(2);
    expect(
      sample(text, 'cairn_router_rejected_total', { code: 'PAYLOAD_TOO_LARGE' })! -
        rejectedBefore('PAYLOAD_TOO_LARGE', before),
    ).toBe(1);
    expect(sample(text, 'cairn_router_requests_total', { endpoint: 'crashing', outcome: 'error' })).toBe(1);
    expect(sample(text, 'cairn_router_requests_total', { endpoint: 'slow', outcome: 'timeout' })).toBe(1);
    expect(sample(text, 'cairn_router_requests_total', { endpoint: 'rejecting', outcome: 'client_error' })).toBe(1);
  });
});

describe('metrics and per-deployment figures', () => {
  it('exposes request counts, latency histograms and process metrics at /metrics', async () => {
    const model = await server(modelServerThatAnswers('metered', 1));
    const [id] = await endpointWith('metered', [{ server: model, traffic: 100 }]);
    for (let i = 0; i < 4; i++) expect((await predict('metered', {})).status).toBe(200);
    const text = await metricsText();
    expect(text).toContain('# TYPE cairn_router_requests_total counter');
    expect(text).toContain('# TYPE cairn_router_request_duration_seconds histogram');
    expect(
      sample(text, 'cairn_router_requests_total', {
        endpoint: 'metered',
        deployment: id!,
        shadow: 'false',
        outcome: 'success',
      }),
    ).toBe(4);
    expect(
      sample(text, 'cairn_router_request_duration_seconds_count', {
        endpoint: 'metered',
        deployment: id!,
        shadow: 'false',
      }),
    ).toBe(4);
    expect(
      sample(text, 'cairn_router_request_duration_seconds_bucket', {
        endpoint: 'metered',
        deployment: id!,
        le: '+Inf',
      }),
    ).toBe(4);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('answers requests, errors and p99 of a window by the injected clock (statsSince)', async () => {
    const model = await server(modelServerThatAnswers('windowed', 1));
    const [id] = await endpointWith('windowed', [{ server: model, traffic: 100 }]);
    const start = now;
    for (let i = 0; i < 3; i++) await predict('windowed', {});
    now = new Date(start.getTime() + 30_000);
    model.setScenario({ kind: 'failsWith500' });
    for (let i = 0; i < 2; i++) expect((await predict('windowed', {})).status).toBe(502);
    const stats = cairn.router!.stats;
    const all = stats.statsSince([id!, 'deployment:builtin:unknown/1'], new Date(start.getTime() - 1000));
    expect(all.get(id!)).toMatchObject({ requests: 5, errors: 2 });
    expect(all.get(id!)!.latencyP99Ms).toBeGreaterThan(0);
    expect(all.get(id!)!.latencyP99Ms).toBeLessThan(TIMEOUT_MS);
    expect(all.get('deployment:builtin:unknown/1')).toEqual({ requests: 0, errors: 0, latencyP99Ms: null });
    expect(stats.statsSince([id!], new Date(start.getTime() + 10_000)).get(id!)).toMatchObject({
      requests: 2,
      errors: 2,
    });
    // Past the one-hour window the figures are gone.
    now = new Date(start.getTime() + 2 * 3600_000);
    expect(stats.statsSince([id!], start).get(id!)).toEqual({ requests: 0, errors: 0, latencyP99Ms: null });
  });
});

describe("canary analysis on the router's figures", () => {
  it('rolls a canary whose model server fails back to the stable deployment by itself, through the durable rollout job', async () => {
    const stable = await server(modelServerThatAnswers('canary-stable', 1));
    const failing = await server(modelServerThatFailsWith500('canary-failing'));
    const [stableId] = await endpointWith('guarded', [{ server: stable, traffic: 100 }]);
    const { deployModelVersion } = await cairn.data(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id endpoint { activeRollout { id currentPercent } } } }`,
      {
        input: {
          endpointId: endpointIds.get('guarded'),
          modelVersionId: versions[1],
          strategy: 'CANARY',
          modelServerUrl: failing.url,
          rollout: { steps: [50, 100], bakeSeconds: 3600, maxErrorRate: 0.2, minRequests: 10 },
        },
      },
    );
    const canaryId = deployModelVersion.id as string;
    const rolloutId = deployModelVersion.endpoint.activeRollout.id as string;
    expect(deployModelVersion.endpoint.activeRollout.currentPercent).toBe(50);

    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => predict('guarded', { i }, { 'x-cairn-routing-key': `caller-${i}` })),
    );
    const fromCanary = answers.filter((a) => a.deployment === canaryId);
    expect(fromCanary.length).toBeGreaterThanOrEqual(10);
    expect(fromCanary.every((a) => a.status === 502)).toBe(true);

    // No one calls evaluate: the queued rollout check reads the router's figures and rolls back.
    const settled = await waitFor(
      async () => {
        const answer = await cairn.query(
          `query($id: ID!) { rollout(id: $id) { status reason lastAnalysis { verdict canary { requests errors } } } }`,
          {
            id: rolloutId,
          },
        );
        return answer.data?.rollout.status === 'IN_PROGRESS' ? undefined : answer.data.rollout;
      },
      { timeoutMs: 20_000, what: 'the rollout check to roll the failing canary back' },
    );
    expect(settled.status).toBe('ROLLED_BACK');
    expect(settled.reason).toMatch(/^automatic rollback at step 1 \(50%\): error rate 1 above 0\.2/);
    expect(settled.lastAnalysis).toMatchObject({
      verdict: 'FAIL',
      canary: { requests: fromCanary.length, errors: fromCanary.length },
    });

    // Every caller is served by the stable deployment again, at once (the split change invalidated the router's table).
    const after = await Promise.all(
      Array.from({ length: 20 }, (_, i) => predict('guarded', {}, { 'x-cairn-routing-key': `caller-${i}` })),
    );
    expect(after.every((a) => a.status === 200 && a.deployment === stableId)).toBe(true);
  });
});
