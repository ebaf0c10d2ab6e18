import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOPS_HEADER, MAX_HOPS } from '../../serving/router.ts';
import { modelServerThatAnswers, type FakeModelServer } from '../../emulators/model-server.ts';
import { startTestCairn, waitFor, type TestCairn } from '../testkit.ts';

/**
 * A deployment whose model server leads back to Cairn's own router. The plain case (Cairn's own
 * address) is refused when deploying; the rest (another name for it, a proxy, a row written
 * directly) must end at the hop limit with 508 LOOP_DETECTED, and nothing may go on after the answer.
 */

let cairn: TestCairn;
let proxy: CountingProxy;
let modelServer: FakeModelServer;
const versions = new Map<string, string>();

interface CountingProxy {
  url: string;
  /** The hop header of every request that went through, in order. */
  seen: (string | undefined)[];
  close(): Promise<void>;
}

/** A plain HTTP proxy on loopback in front of Cairn: Cairn by another name, counting what passes. */
async function countingProxy(target: string): Promise<CountingProxy> {
  const seen: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers[HOPS_HEADER] as string | undefined);
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function versionOf(model: string): Promise<string> {
  if (!versions.has(model)) {
    const { registerModelVersion } = await cairn.data(
      `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`,
      { input: { model } },
    );
    versions.set(model, registerModelVersion.id);
  }
  return versions.get(model)!;
}

async function createEndpoint(name: string): Promise<string> {
  const { createEndpoint } = await cairn.data(
    `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }`,
    { input: { name } },
  );
  return createEndpoint.id;
}

const DEPLOY = `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`;

async function deploy(endpointId: string, model: string, modelServerUrl: string, extra: Record<string, unknown> = {}) {
  return cairn.query(DEPLOY, {
    input: { endpointId, modelVersionId: await versionOf(model), strategy: 'RECREATE', modelServerUrl, ...extra },
  });
}

/** One call as a client makes it, bounded so that a loop fails the test instead of hanging it. */
async function call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) {
  const started = Date.now();
  const response = await fetch(`${cairn.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(8000),
  });
  return { status: response.status, body: (await response.json()) as any, ms: Date.now() - started };
}

/** Waits a while after an answer and checks that nothing more went through the proxy. */
async function expectQuietAfter(count: number) {
  await new Promise((resolve) => setTimeout(resolve, 700));
  expect(proxy.seen.length).toBe(count);
}

beforeAll(async () => {
  cairn = await startTestCairn({ CAIRN_ROUTER_TIMEOUT_MS: '3000' });
  proxy = await countingProxy(cairn.url);
  modelServer = await modelServerThatAnswers('real', 7);
});
afterAll(async () => {
  await proxy?.close();
  await modelServer?.close();
  await cairn?.close();
});

describe('a model server URL that is Cairn itself', () => {
  it('is refused when deploying, by any name of the listener, naming the field and writing nothing', async () => {
    const endpointId = await createEndpoint('selfish');
    const port = cairn.port;
    const before = await cairn.db.deployment.count();
    for (const url of [
      `${cairn.url}/endpoints/selfish`,
      `http://localhost:${port}/endpoints/selfish`,
      `http://LOCALHOST.:${port}/`,
      `http://127.0.0.2:${port}/`,
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://0.0.0.0:${port}/`,
      `http://2130706433:${port}/`,
    ]) {
      const answer = await deploy(endpointId, 'selfish-model', url);
      expect(answer.errors?.[0]?.extensions?.code, url).toBe('BAD_USER_INPUT');
      expect(answer.errors![0]!.extensions!.problems.map((p: { path: string }) => p.path)).toEqual([
        'input.modelServerUrl',
      ]);
    }
    expect(await cairn.db.deployment.count()).toBe(before);
    // Another port on loopback is another process: accepted.
    expect((await deploy(endpointId, 'selfish-model', `${modelServer.url}`)).errors).toBeUndefined();
  });

  it('is refused in a deploy rule too', async () => {
    const endpointId = await createEndpoint('ruled-self');
    const answer = await cairn.query(
      `mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { endpoint { id } } }`,
      {
        input: {
          endpointId,
          model: 'ruled',
          strategy: 'RECREATE',
          modelServerUrl: `http://localhost:${cairn.port}/endpoints/ruled-self`,
        },
      },
    );
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.extensions!.problems.map((p: { path: string }) => p.path)).toEqual([
      'input.modelServerUrl',
    ]);
    expect(await cairn.db.endpointDeployRule.count()).toBe(0);
  });
});

describe('a loop that gets past the deploy-time check', () => {
  it('predict through a proxy back to the same endpoint ends at the hop limit with 508 LOOP_DETECTED, and nothing runs after the answer', async () => {
    const endpointId = await createEndpoint('looped');
    expect((await deploy(endpointId, 'looped-model', `${proxy.url}/endpoints/looped`)).errors).toBeUndefined();
    const before = proxy.seen.length;
    const answer = await call('POST', '/endpoints/looped/predict', { x: 1 });
    expect(answer.status).toBe(508);
    expect(answer.body).toEqual({ error: { code: 'LOOP_DETECTED', message: expect.stringContaining(`${MAX_HOPS}`) } });
    // Well under the router timeout (10 s): the loop ends by refusal, not by waiting.
    expect(answer.ms).toBeLessThan(8000);
    // Each router forwarded with one more hop; the last one refused without forwarding.
    expect(proxy.seen.slice(before)).toEqual(Array.from({ length: MAX_HOPS }, (_, i) => String(i + 1)));
    await expectQuietAfter(before + MAX_HOPS);
  });

  it('v2 infer and model metadata loops end the same way', async () => {
    // The v2 routes name the model: a model named like its endpoint, served by Cairn through the proxy.
    const endpointId = await createEndpoint('loopy');
    expect((await deploy(endpointId, 'loopy', proxy.url)).errors).toBeUndefined();
    let before = proxy.seen.length;
    const infer = await call('POST', '/v2/models/loopy/infer', {
      inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [1] }],
    });
    expect(infer.status).toBe(508);
    expect(infer.body.error.code).toBe('LOOP_DETECTED');
    expect(proxy.seen.length - before).toBe(MAX_HOPS);
    before = proxy.seen.length;
    const metadata = await call('GET', '/v2/models/loopy');
    expect(metadata.status).toBe(508);
    expect(metadata.body.error.code).toBe('LOOP_DETECTED');
    expect(proxy.seen.length - before).toBe(MAX_HOPS);
    await expectQuietAfter(before + MAX_HOPS);
  });

  it('a shadow mirror back to its own endpoint stops at the hop limit while the caller gets the live answer', async () => {
    const endpointId = await createEndpoint('mirrored');
    expect((await deploy(endpointId, 'mirrored-live', modelServer.url)).errors).toBeUndefined();
    const before = proxy.seen.length;
    const shadow = await deploy(endpointId, 'mirrored-shadow', `${proxy.url}/endpoints/mirrored`, {
      strategy: 'SHADOW',
      trafficPercent: 100,
    });
    expect(shadow.errors).toBeUndefined();
    const answer = await call('POST', '/endpoints/mirrored/predict', { x: 1 });
    expect(answer.status).toBe(200);
    // Every hop answers live and mirrors once more, until a router refuses the mirror.
    await waitFor(async () => (proxy.seen.length - before >= MAX_HOPS ? true : undefined), {
      timeoutMs: 5000,
      what: 'the mirrors',
    });
    await expectQuietAfter(before + MAX_HOPS);
    expect(proxy.seen.slice(before)).toEqual(Array.from({ length: MAX_HOPS }, (_, i) => String(i + 1)));
  });

  it('a deployment row that names Cairn directly (written around the API) answers 508 at once', async () => {
    const endpointId = await createEndpoint('written');
    const deployed = await deploy(endpointId, 'written-model', modelServer.url);
    expect(deployed.errors).toBeUndefined();
    await cairn.db.deployment.update({
      where: { id: deployed.data.deployModelVersion.id },
      data: { modelServerUrl: `${cairn.url}/endpoints/written` },
    });
    cairn.router!.invalidate('written');
    const served = modelServer.totalCalls();
    const answer = await call('POST', '/endpoints/written/predict', { x: 1 });
    expect(answer.status).toBe(508);
    expect(answer.body.error.code).toBe('LOOP_DETECTED');
    // Well under the router timeout (10 s): the loop ends by refusal, not by waiting.
    expect(answer.ms).toBeLessThan(8000);
    expect(modelServer.totalCalls()).toBe(served);
  });

  it(`refuses a request that already made ${MAX_HOPS} hops, and a hop count that is not a number, without calling a model server`, async () => {
    const endpointId = await createEndpoint('direct');
    expect((await deploy(endpointId, 'direct-model', modelServer.url)).errors).toBeUndefined();
    const served = modelServer.totalCalls();
    const tooFar = await call('POST', '/endpoints/direct/predict', { x: 1 }, { [HOPS_HEADER]: String(MAX_HOPS) });
    expect(tooFar.status).toBe(508);
    expect(tooFar.body.error.code).toBe('LOOP_DETECTED');
    for (const bad of ['-1', 'abc', '1e9', '0x1']) {
      const answer = await call('POST', '/endpoints/direct/predict', { x: 1 }, { [HOPS_HEADER]: bad });
      expect(answer.status, bad).toBe(400);
      expect(answer.body.error.code).toBe('BAD_USER_INPUT');
    }
    expect(modelServer.totalCalls()).toBe(served);
    // One hop short of the limit still goes through (chains of Cairns work).
    const near = await call('POST', '/endpoints/direct/predict', { x: 1 }, { [HOPS_HEADER]: String(MAX_HOPS - 1) });
    expect(near.status).toBe(200);
    expect(modelServer.totalCalls()).toBe(served + 1);
  });
});
