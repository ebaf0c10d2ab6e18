import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, startupWarnings } from '../../server/config.ts';
import { cairnCli, startTestCairn, type TestCairn } from '../testkit.ts';

/** A loopback TCP server; `onSocket` decides what each connection gets. */
async function tcpServer(
  onSocket: (socket: Socket) => void,
): Promise<{ port: number; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    sockets,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** A request with the Host header a browser would send for `host` (fetch does not let a test set it). */
function withHost(
  url: string,
  path: string,
  host: string,
  method = 'GET',
  body?: string,
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { host, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('liveness, readiness and allowed hosts', () => {
  let hung: Awaited<ReturnType<typeof tcpServer>>;
  let cairn: TestCairn;
  beforeAll(async () => {
    // A remote subgraph that accepts connections and never answers.
    hung = await tcpServer(() => {});
    cairn = await startTestCairn({
      CAIRN_SUBGRAPH_URLS: `lineage=http://127.0.0.1:${hung.port}/graphql`,
      CAIRN_READINESS_TIMEOUT_MS: '500',
      CAIRN_ALLOWED_HOSTS: 'cairn.internal',
    });
  });
  afterAll(async () => {
    await cairn?.close();
    await hung?.close();
  });

  it('answers /healthz at once, and /readyz 503 naming the hung subgraph within its bound', async () => {
    const live = await timed(() => fetch(`${cairn.url}/healthz`));
    expect(live.value.status).toBe(200);
    expect(await live.value.json()).toEqual({
      status: 'ok',
      database: process.env.DATABASE_URL ? 'postgres' : 'pglite',
      onlineStore: process.env.REDIS_URL ? 'redis' : 'memory',
    });
    // Liveness checks nothing: it never waits on the hung subgraph (which never answers) nor on the
    // readiness bound. The bounds leave room for a busy machine; without them the request would hang.
    expect(live.ms).toBeLessThan(2000);

    const ready = await timed(() => fetch(`${cairn.url}/readyz`));
    expect(ready.value.status).toBe(503);
    expect(await ready.value.json()).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', onlineStore: 'ok', 'subgraph lineage': 'no answer within 500 ms' },
    });
    expect(ready.ms).toBeLessThan(4000);
  });

  it('refuses a Host that is not an allowed name on every route, the inference routes included (DNS rebinding)', async () => {
    for (const [path, method] of [
      ['/graphql', 'POST'],
      ['/healthz', 'GET'],
      ['/endpoints/anything/predict', 'POST'],
      ['/metrics', 'GET'],
      ['/', 'GET'],
    ] as const) {
      const refused = await withHost(cairn.url, path, 'attacker.example:4000', method, '{"query":"{ __typename }"}');
      expect(refused, path).toEqual({
        status: 403,
        body: {
          errors: [
            {
              message: 'this host name is not allowed (add it to CAIRN_ALLOWED_HOSTS)',
              extensions: { code: 'FORBIDDEN' },
            },
          ],
        },
      });
    }
    const { port } = new URL(cairn.url);
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      'cairn.internal',
      `CAIRN.internal:${port}`,
      '10.1.2.3:4000',
    ]) {
      expect((await withHost(cairn.url, '/healthz', host)).status, host).toBe(200);
    }
  });
});

describe.skipIf(!process.env.REDIS_URL)('readiness when Redis goes away', () => {
  it('names the online store at once, not after the store timeout', async () => {
    const redis = new URL(process.env.REDIS_URL!);
    // A loopback proxy in front of the test Redis, to take it away.
    const proxy = await tcpServer((socket) => {
      const upstream = connect(Number(redis.port || 6379), redis.hostname);
      upstream.on('error', () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
      socket.on('close', () => upstream.destroy());
    });
    const cairn = await startTestCairn({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      CAIRN_READINESS_TIMEOUT_MS: '1000',
    });
    try {
      expect((await fetch(`${cairn.url}/readyz`)).status).toBe(200);
      await proxy.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const ready = await timed(() => fetch(`${cairn.url}/readyz`));
      expect(ready.value.status).toBe(503);
      expect((await ready.value.json()).checks).toEqual({ database: 'ok', onlineStore: 'unreachable' });
      expect(ready.ms).toBeLessThan(3000);
    } finally {
      await cairn.close();
    }
  });
});

describe('the cairn command at start-up', () => {
  let dir: string;
  // The command runs on its own embedded database, never on the test server's.
  let env: Record<string, string>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cairn-cli-'));
    env = { DATABASE_URL: '', REDIS_URL: '', CAIRN_DATA_DIR: join(dir, 'data'), CAIRN_DEMO: 'off', PORT: '0' };
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists a bad LOG_LEVEL with the other problems (exit 2, no stack); help works whatever it is', async () => {
    for (const level of ['loud', 'verbose']) {
      const help = await cairnCli(['help'], { LOG_LEVEL: level });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('cairn serve');
      const serve = await cairnCli(['serve'], { ...env, LOG_LEVEL: level, PORT: 'eighty' });
      expect(serve.code).toBe(2);
      expect(serve.stderr).toContain('LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent');
      expect(serve.stderr).toContain('PORT');
      expect(serve.stderr).not.toMatch(/\n\s+at /);
      const promote = await cairnCli(['promote', 'x', '--to', 'STAGING'], { LOG_LEVEL: level });
      expect(promote.code).toBe(2);
      expect(promote.stderr).toContain('LOG_LEVEL');
    }
    // Upper case is the same level.
    const upper = await cairnCli(['rollback'], { LOG_LEVEL: 'DEBUG' });
    expect(upper.code).toBe(2);
    expect(upper.stderr).toContain('usage: cairn rollback');
    expect(upper.stderr).not.toContain('LOG_LEVEL');
  }, 120_000);

  it('answers --help for every command with its usage, and does nothing else', async () => {
    for (const command of ['serve', 'migrate', 'compose', 'promote', 'verify-audit', 'impact', 'rollback', 'sync']) {
      const answer = await cairnCli([command, '--help'], env);
      expect(answer.code, command).toBe(0);
      expect(answer.stdout, command).toMatch(new RegExp(`^Usage:\\n\\s+cairn ${command}`));
    }
    expect((await cairnCli(['migrate', '-h'], env)).code).toBe(0);
    // No database was started, nothing migrated.
    expect(await readdir(dir)).toEqual([]);
  }, 120_000);

  it('exits 2 on a bad CAIRN_POLICY_FILE, naming it', async () => {
    const file = join(dir, 'policies.yaml');
    await writeFile(file, 'policies:\n  - name: a\n    appliesTo: SOMEDAY\n    expression: "true"\n    message: m\n');
    const answer = await cairnCli(['serve'], { ...env, CAIRN_POLICY_FILE: file });
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain(`CAIRN_POLICY_FILE (${file}): policies.0.appliesTo`);
    const missing = await cairnCli(['serve'], { ...env, CAIRN_POLICY_FILE: join(dir, 'missing.yaml') });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read the policy file');
  }, 120_000);

  it('warns clearly when auth is off on an address that is not loopback', async () => {
    // 192.0.2.1 (TEST-NET-1) is on no interface here: the warning comes first, then listening fails.
    const answer = await cairnCli(['serve'], { ...env, HOST: '192.0.2.1', CAIRN_AUTH: 'off' });
    expect(answer.stderr).toContain(
      'cairn: WARNING: authentication is off (CAIRN_AUTH=off) and HOST=192.0.2.1 is not a loopback address',
    );
    // Loopback, or auth on: nothing to warn about.
    for (const quiet of [
      { HOST: '127.0.0.1' },
      { HOST: 'localhost' },
      { HOST: '::1' },
      { HOST: '0.0.0.0', CAIRN_AUTH: 'trusted-header' },
    ]) {
      expect(startupWarnings(parseConfig(quiet)), JSON.stringify(quiet)).toEqual([]);
    }
  }, 120_000);
});
