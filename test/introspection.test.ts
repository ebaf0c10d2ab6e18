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
});
