import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config.ts';
import { startCairn } from '../../server/runtime.ts';
import { startModelServer, type FakeModelServer } from '../../emulators/model-server.ts';
import { graphql, startTestCairn, type TestCairn } from '../testkit.ts';

/**
 * NUL, lone surrogates and deep nesting are the caller's mistake: refused as BAD_USER_INPUT naming
 * the field (GraphQL) or 400 with the router's error body, before PostgreSQL or a recursive walk
 * sees them, and nothing is written.
 */
let cairn: TestCairn;
let modelServer: FakeModelServer;
let versionId: string;

/** Rows in the tables a refused mutation could have touched, and the audit chain's head. */
async function written() {
  const db = cairn.db;
  const [endpoints, versions, models, views, incidents, policies, audit, head] = await Promise.all([
    db.endpoint.count(),
    db.modelVersion.count(),
    db.registeredModel.count(),
    db.featureView.count(),
    db.featureIncident.count(),
    db.policy.count(),
    db.auditEvent.count(),
    db.auditChainHead.findFirst(),
  ]);
  return { endpoints, versions, models, views, incidents, policies, audit, head: head?.hash ?? '' };
}

/** A value nested `levels` deep: {a: {a: … 1}}. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function refusedAsInput(answer: Awaited<ReturnType<typeof graphql>>, path: string) {
  expect(answer.errors, JSON.stringify(answer)).toBeDefined();
  const error = answer.errors![0]!;
  expect(error.extensions?.code, error.message).toBe('BAD_USER_INPUT');
  expect(error.extensions?.problems?.map((p: { path: string }) => p.path)).toContain(path);
  expect(JSON.stringify(answer)).not.toMatch(/22021|22P05|invalid byte sequence|prisma|at .*\.ts:\d+/i);
}

beforeAll(async () => {
  cairn = await startTestCairn();
  modelServer = await startModelServer({ name: 'deep', score: 0.5 });
  versionId = (
    await cairn.data(`mutation { registerModelVersion(input: { model: "nul-model", artifactUri: "s3://m/1" }) { id } }`)
  ).registerModelVersion.id;
  const { createEndpoint } = await cairn.data(`mutation { createEndpoint(input: { name: "deep" }) { id } }`);
  await cairn.data(`mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`, {
    input: {
      endpointId: createEndpoint.id,
      modelVersionId: versionId,
      strategy: 'RECREATE',
      modelServerUrl: modelServer.url,
    },
  });
});
afterAll(async () => {
  await cairn?.close();
  await modelServer?.close();
});

describe('NUL and lone surrogates in GraphQL arguments', () => {
  const cases: [string, string, Record<string, unknown>, string][] = [
    [
      'createEndpoint owner',
      'mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }',
      { input: { name: 'nul-endpoint', owner: 'a\u0000b' } },
      'input.owner',
    ],
    [
      'createEndpoint description',
      'mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }',
      { input: { name: 'nul-endpoint', description: '\u0000' } },
      'input.description',
    ],
    [
      'createEndpoint provider',
      'mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { id } }',
      { input: { name: 'nul-endpoint', provider: 'builtin\u0000' } },
      'input.provider',
    ],
    [
      'registerModelVersion imageUri',
      'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }',
      { input: { model: 'nul-model', imageUri: 'img\u0000' } },
      'input.imageUri',
    ],
    [
      'registerModelVersion description, a lone surrogate',
      'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }',
      { input: { model: 'nul-model', description: 'x\ud800y' } },
      'input.description',
    ],
    [
      'registerModelVersion params value',
      'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }',
      { input: { model: 'nul-model', params: { depth: 'a\u0000' } } },
      'input.params.depth',
    ],
    [
      'registerModelVersion params key',
      'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }',
      { input: { model: 'nul-model', metrics: { 'a\u0000': 1 } } },
      'input.metrics.a\u0000',
    ],
    [
      'syncProvider name',
      'mutation($input: SyncProviderInput!) { syncProvider(input: $input) { id } }',
      { input: { name: 'aws\u0000' } },
      'input.name',
    ],
    ['a query argument', 'query($name: String!) { featureView(name: $name) { id } }', { name: 'x\u0000' }, 'name'],
  ];
  for (const [what, query, variables, path] of cases) {
    it(`${what}: BAD_USER_INPUT at ${JSON.stringify(path)}, nothing written`, async () => {
      const before = await written();
      const answer = await graphql(cairn.url, query, variables);
      refusedAsInput(answer, path);
      expect(answer.status).toBe(400);
      expect(await written()).toEqual(before);
    });
  }

  it('an inline literal holding \\u0000 (owner of createEndpoint) is refused the same way', async () => {
    const before = await written();
    const answer = await graphql(
      cairn.url,
      'mutation { createEndpoint(input: { name: "nul-inline", owner: "a\\u0000b" }) { id } }',
    );
    refusedAsInput(answer, 'input.owner');
    expect(await written()).toEqual(before);
  });

  it('a NUL inside a list element (ingestFeatures entityKey) names the element', async () => {
    const answer = await graphql(
      cairn.url,
      'mutation($input: IngestFeaturesInput!) { ingestFeatures(input: $input) { accepted } }',
      {
        input: {
          featureView: 'nothing',
          rows: [
            { entityKey: 'ok', eventTime: '2026-01-01T00:00:00Z', values: {} },
            { entityKey: 'd\u0000', eventTime: '2026-01-01T00:00:00Z', values: {} },
          ],
        },
      },
    );
    refusedAsInput(answer, 'input.rows.1.entityKey');
  });

  it('other control characters are text PostgreSQL stores: accepted and answered back as sent', async () => {
    const { createEndpoint } = await cairn.data(
      `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { owner } }`,
      { input: { name: 'ctl-endpoint', owner: 'a\u0001\u001fb' } },
    );
    expect(createEndpoint.owner).toBe('a\u0001\u001fb');
  });
});

describe('deep nesting', () => {
  it('2,000-level JSON in params: BAD_USER_INPUT at input.params, nothing written, the server still answers', async () => {
    const before = await written();
    const answer = await graphql(
      cairn.url,
      'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }',
      {
        input: { model: 'nul-model', params: nested(2000) },
      },
    );
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.extensions!.problems[0].path).toMatch(/^input\.params(\.a)*$/);
    expect(answer.errors![0]!.message).toContain('nested deeper than 64 levels');
    expect(await written()).toEqual(before);
    expect((await fetch(`${cairn.url}/healthz`)).status).toBe(200);
  });

  it('a deep inline literal is refused before execution: BAD_USER_INPUT past the bound, a parse refusal (400) at 2,000 levels', async () => {
    const literal = (levels: number) => '{ a: '.repeat(levels) + '1' + ' }'.repeat(levels);
    const before = await written();
    const deep = await graphql(
      cairn.url,
      `mutation { registerModelVersion(input: { model: "nul-model", params: ${literal(200)} }) { id } }`,
    );
    refusedAsInput(deep, 'input.params' + '.a'.repeat(63));
    // The parser's own recursion gives out first here; the gateway's token limit refuses such a document earlier.
    const deeper = await graphql(
      cairn.url,
      `mutation { registerModelVersion(input: { model: "nul-model", params: ${literal(2000)} }) { id } }`,
    );
    expect(deeper.status).toBe(400);
    expect(deeper.errors?.[0]?.extensions?.code).toMatch(/^(BAD_USER_INPUT|GRAPHQL_PARSE_FAILED)$/);
    expect(await written()).toEqual(before);
    expect((await fetch(`${cairn.url}/healthz`)).status).toBe(200);
  });

  it('params nested within the bound are stored and answered back', async () => {
    const { registerModelVersion } = await cairn.data(
      `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { params } }`,
      {
        input: { model: 'nul-model', params: nested(30) },
      },
    );
    expect(registerModelVersion.params).toEqual(nested(30));
  });
});

describe('a subgraph served alone (cairn serve --only models)', () => {
  it('refuses NUL and deep nesting the same way, nothing written', async () => {
    const models = await startCairn(
      parseConfig({ PORT: '0', CAIRN_DEMO: 'off', LOG_LEVEL: 'warn', DATABASE_URL: cairn.databaseUrl }),
      { only: 'models' },
    );
    try {
      const before = await written();
      const REGISTER = 'mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }';
      refusedAsInput(
        await graphql(models.url, REGISTER, { input: { model: 'nul-model', description: 'a\u0000' } }),
        'input.description',
      );
      const deep = await graphql(models.url, REGISTER, { input: { model: 'nul-model', params: nested(2000) } });
      expect(deep.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(await written()).toEqual(before);
    } finally {
      await models.close();
    }
  });
});

describe('the inference router', () => {
  it('/endpoints/x%00/predict: 400 BAD_USER_INPUT in the router error body', async () => {
    for (const path of ['/endpoints/x%00/predict', '/v2/models/x%00/infer', '/v2/models/x%00']) {
      const response = await fetch(`${cairn.url}${path}`, {
        method: path.endsWith('x%00') ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        body: path.endsWith('x%00') ? undefined : '{"inputs": []}',
      });
      expect(response.status, path).toBe(400);
      expect(await response.json()).toEqual({
        error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('NUL') },
      });
    }
  });

  it('a 2,000-level predict body: 400 BAD_USER_INPUT, the model server never called', async () => {
    const calls = modelServer.totalCalls();
    const response = await fetch(`${cairn.url}/endpoints/deep/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: nested(2000) }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('nested deeper than 64 levels') },
    });
    expect(modelServer.totalCalls()).toBe(calls);
  });

  it('a body within the bound is forwarded', async () => {
    const response = await fetch(`${cairn.url}/endpoints/deep/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ x: nested(20), note: 'a\u0000b' }),
    });
    expect(response.status).toBe(200);
    expect(modelServer.lastRequest).toEqual({ x: nested(20), note: 'a\u0000b' });
  });
});
