import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../server/config.ts';
import { startCairn, type Cairn } from '../server/runtime.ts';
import { composeSchemas, readApiSchema, readSupergraph, type ComposedSchemas } from '../gateway/supergraph.ts';
import { FEATURE_VIEW_INPUT, graphql, startTestCairn, type TestCairn } from './testkit.ts';

const CROSS_SUBGRAPH = `query($id: ID!) { feature(id: $id) { name usedBy { version model { name } deployments { id } } } }`;

describe('the composed supergraph', () => {
  let composition: Promise<ComposedSchemas> | undefined;
  const composed = () => (composition ??= composeSchemas());

  it('is current with the subgraph schemas (run `npm run compose` after changing one)', async () => {
    const { supergraph } = await composed();
    expect(supergraph, 'gateway/supergraph.graphql is stale: run `npm run compose`').toBe(await readSupergraph());
  });

  it('has its public API schema, schema.graphql, current (run `npm run compose` after changing a subgraph)', async () => {
    const { api } = await composed();
    expect(api, 'schema.graphql is stale: run `npm run compose`').toBe(await readApiSchema());
    expect(api).not.toMatch(/\bjoin__|\blink__|@join__|@link\b/);
  });
});

describe('subgraphs served by other processes', () => {
  let main: TestCairn;
  let featureId: string;
  const extra: Cairn[] = [];
  let hung: Server;

  beforeAll(async () => {
    main = await startTestCairn();
    const view = await main.query(
      'mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { features { id } } }',
      { input: FEATURE_VIEW_INPUT },
    );
    featureId = view.data.applyFeatureView.features[0].id;
    await main.query('mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }', {
      input: { model: 'eta', featureIds: [featureId] },
    });
    hung = createServer(() => {
      // Accepts the request and never answers: a hung subgraph.
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const cairn of extra) await cairn.close();
    hung?.closeAllConnections();
    hung?.close();
    await main?.close();
  });

  it('answers the cross-subgraph query with the models subgraph served alone over HTTP', async () => {
    // The models subgraph in its own server (as `cairn serve --only models` runs it), on the same database.
    const env = { PORT: '0', CAIRN_DEMO: 'off', LOG_LEVEL: 'warn', DATABASE_URL: main.databaseUrl };
    const models = await startCairn(parseConfig(env), { only: 'models' });
    extra.push(models);
    const direct = await graphql(models.url, '{ _service { sdl } }');
    expect(direct.data._service.sdl).toContain('registerModelVersion');

    const gateway = await startCairn(parseConfig({ ...env, CAIRN_SUBGRAPH_URLS: `models=${models.url}/graphql` }));
    extra.push(gateway);
    const answer = await graphql(gateway.url, CROSS_SUBGRAPH, { id: featureId });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.feature).toEqual({
      name: 'trips_today',
      usedBy: [{ version: 1, model: { name: 'eta' }, deployments: [] }],
    });
  });

  it('answers partial data with an error when a subgraph hangs, within the subgraph timeout', async () => {
    const { port } = hung.address() as AddressInfo;
    const env = {
      PORT: '0',
      CAIRN_DEMO: 'off',
      LOG_LEVEL: 'silent',
      DATABASE_URL: main.databaseUrl,
      CAIRN_SUBGRAPH_TIMEOUT_MS: '1500', // long enough for the in-process subgraphs on a busy machine
      CAIRN_SUBGRAPH_URLS: `deployments=http://127.0.0.1:${port}/graphql`,
    };
    const gateway = await startCairn(parseConfig(env));
    extra.push(gateway);
    const started = Date.now();
    const answer = await graphql(gateway.url, CROSS_SUBGRAPH, { id: featureId });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer.data.feature).toEqual({
      name: 'trips_today',
      usedBy: [{ version: 1, model: { name: 'eta' }, deployments: null }],
    });
    expect(answer.errors).toEqual([
      {
        message: 'subgraph deployments is unavailable: no answer within 1500 ms',
        extensions: { code: 'UPSTREAM_UNAVAILABLE', serviceName: 'deployments' },
      },
    ]);
  });
});
