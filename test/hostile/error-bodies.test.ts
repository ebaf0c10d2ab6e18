import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, type TestCairn } from '../testkit.ts';

let cairn: TestCairn;
beforeAll(async () => {
  cairn = await startTestCairn();
});
afterAll(async () => {
  await cairn?.close();
});

/** An answer's body must be JSON and tell nothing of the server's insides. */
function expectNoInternals(text: string) {
  expect(text).not.toMatch(/<html|<pre|node_modules|\bat [\w.<>]+ \(|stack/i);
  expect(text).not.toContain(process.cwd());
}

async function answer(path: string, init: RequestInit = {}) {
  const response = await fetch(`${cairn.url}${path}`, init);
  const text = await response.text();
  expectNoInternals(text);
  expect(response.headers.get('content-type'), text).toMatch(/^application\/json/);
  return { status: response.status, body: JSON.parse(text) };
}

const json = { 'content-type': 'application/json' };

describe('error answers on every route', () => {
  it('answers a malformed JSON body with 400 in the GraphQL error shape', async () => {
    const { status, body } = await answer('/graphql', {
      method: 'POST',
      headers: json,
      body: '{"query": "{ providers { name } }",',
    });
    expect(status).toBe(400);
    expect(body).toEqual({
      errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers a body over the limit with 413, an unsupported charset or encoding with 415', async () => {
    const large = await answer('/graphql', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ query: '{ providers { name } }', variables: { pad: 'x'.repeat(11 * 1024 * 1024) } }),
    });
    expect(large.status).toBe(413);
    expect(large.body.errors[0].extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE' });

    const charset = await answer('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: '{"query":"{ providers { name } }"}',
    });
    expect(charset.status).toBe(415);
    expect(charset.body.errors[0].extensions).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE' });

    const encoding = await answer('/graphql', {
      method: 'POST',
      headers: { ...json, 'content-encoding': 'x-squeeze' },
      body: '{"query":"{ providers { name } }"}',
    });
    expect(encoding.status).toBe(415);
    expect(encoding.body.errors[0].extensions).toEqual({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('answers unknown routes, missing files and malformed paths with JSON', async () => {
    const unknown = await answer('/no-such-route', { headers: { accept: 'application/json' } });
    expect(unknown).toEqual({
      status: 404,
      body: { errors: [{ message: 'nothing is served at this address', extensions: { code: 'NOT_FOUND' } }] },
    });
    expect((await answer('/assets/missing-file.js')).status).toBe(404);
    expect((await answer('/healthz', { method: 'DELETE' })).status).toBe(404);
    const malformed = await answer('/assets/%E0%A4%A.js');
    expect([400, 404]).toContain(malformed.status);
    expect(['BAD_REQUEST', 'NOT_FOUND']).toContain(malformed.body.errors[0].extensions.code);
  });

  it("keeps GraphQL's own refusals and the router's documented error body as JSON", async () => {
    const empty = await answer('/graphql', { method: 'POST', headers: json, body: '{}' });
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const csrf = await answer('/graphql?query=%7B__typename%7D', { headers: { 'content-type': 'text/plain' } });
    expect(csrf.status).toBe(400);
    const predict = await answer('/endpoints/no-such-endpoint/predict', {
      method: 'POST',
      headers: json,
      body: '{"x": 1}',
    });
    expect(predict.status).toBe(404);
    expect(predict.body.error.code).toBe('NOT_FOUND');
  });

  it('answers a request Node cannot parse with a JSON 400', async () => {
    const { port } = new URL(cairn.url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () =>
        socket.write('GET /\u0001bad HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (chunk) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toContain('content-type: application/json');
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    expectNoInternals(body);
    expect(JSON.parse(body).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});
