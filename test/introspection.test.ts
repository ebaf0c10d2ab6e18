import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../server/config.ts';
import { startTestCairn, type TestCairn } from './testkit.ts';

const INTROSPECT = '{ __schema { queryType { name } } }';
const MISSPELLED = '{ endpointz { id } }';

describe('introspection and field suggestions', () => {
  let production: TestCairn;
  let development: TestCairn;
  beforeAll(async () => {
    production = await startTestCairn({ NODE_ENV: 'production' });
    development = await startTestCairn({});
  });
  afterAll(async () => {
    await production?.close();
    await development?.close();
  });

  it('are off in production: no schema by introspection, no field names suggested', async () => {
    const introspected = await production.query(INTROSPECT);
    expect(introspected.data).toBeUndefined();
    expect(introspected.errors?.[0]?.message).toMatch(/introspection/i);
    const misspelled = await production.query(MISSPELLED);
    expect(misspelled.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(misspelled.errors?.[0]?.message).not.toMatch(/did you mean/i);
    expect(misspelled.errors?.[0]?.message).not.toMatch(/endpoints/);
  });

  it('are on in development, and the switch is explicit either way', async () => {
    expect((await development.data(INTROSPECT)).__schema.queryType.name).toBe('Query');
    const misspelled = await development.query(MISSPELLED);
    expect(misspelled.errors?.[0]?.message).toMatch(/did you mean "endpoint" or "endpoints"/i);
    expect(parseConfig({ NODE_ENV: 'production', CAIRN_INTROSPECTION: 'on' }).introspection).toBe(true);
    expect(parseConfig({ CAIRN_INTROSPECTION: 'off' }).introspection).toBe(false);
    expect(() => parseConfig({ CAIRN_INTROSPECTION: 'maybe' })).toThrow(/CAIRN_INTROSPECTION/);
  });

  it('send a browser opening /graphql to the explorer while on, and leave /graphql as it was while off', async () => {
    const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
    const opened = await fetch(`${development.url}/graphql`, { headers: { accept: BROWSER }, redirect: 'manual' });
    expect(opened.status).toBe(302);
    expect(opened.headers.get('location')).toBe('/explorer');
    const explorer = await fetch(new URL('/explorer', development.url), { headers: { accept: BROWSER } });
    expect(explorer.status).toBe(200);
    expect(await explorer.text()).toContain('<title>Cairn</title>');

    // Not a page load: a query in the address, or a client that asks for JSON, reaches GraphQL.
    for (const [path, accept] of [
      ['/graphql?query=%7B__typename%7D', BROWSER],
      ['/graphql', 'application/json'],
      ['/graphql', '*/*'],
    ] as const) {
      const answer = await fetch(`${development.url}${path}`, { headers: { accept }, redirect: 'manual' });
      expect(answer.status, `${path} ${accept}`).not.toBe(302);
      expect(answer.headers.get('content-type'), `${path} ${accept}`).toMatch(/json/);
    }

    // Off: the same request gets what GraphQL answers, no redirect to an explorer that could not work.
    const off = await fetch(`${production.url}/graphql`, { headers: { accept: BROWSER }, redirect: 'manual' });
    expect(off.status).not.toBe(302);
    expect(off.headers.get('location')).toBeNull();
    expect(off.headers.get('content-type')).toMatch(/json/);
  });
});
