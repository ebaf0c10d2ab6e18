/** The deployments subgraph's connections: endpoints and an endpoint's traffic history, rollouts and deployments. */
import { beforeAll, describe, expect, it } from 'vitest';
import { countStatements } from '../testkit.ts';
import {
  cairn,
  createEndpoint,
  deploy,
  ok,
  refused,
  registerVersions,
  SET_SPLIT,
  useDeploymentsCairn,
} from './setup.ts';

useDeploymentsCairn();

const ENDPOINTS = `query($first: Int!, $after: String) { endpoints(provider: "builtin", first: $first, after: $after) {
  totalCount edges { cursor node { name } } nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

const HISTORY = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) { endpoint(id: $id) {
  trafficHistory(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor } nodes { id reason } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

const NAMES = ['conn-a', 'conn-b', 'conn-c', 'conn-d', 'conn-e'];
let historyEndpoint: string;
/** The history's change IDs, newest first, as the catalog holds them. */
let historyIds: string[];
let modelsCursor: string;

async function problems(query: string, variables: Record<string, unknown>) {
  const error = await refused(query, variables);
  expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  return error.extensions?.problems;
}

beforeAll(async () => {
  const [v1, v2] = await registerVersions('conn-model', 2);
  for (const name of NAMES) await createEndpoint(name);
  historyEndpoint = 'endpoint:builtin:conn-c';
  const a = await deploy({ endpointId: historyEndpoint, modelVersionId: v1, strategy: 'RECREATE' });
  const b = await deploy({ endpointId: historyEndpoint, modelVersionId: v2, strategy: 'AB_TEST', trafficPercent: 50 });
  for (const p of [10, 20, 30, 40, 60])
    await ok(SET_SPLIT, {
      input: {
        endpointId: historyEndpoint,
        split: [
          { deploymentId: a.id, percent: 100 - p },
          { deploymentId: b.id, percent: p },
        ],
      },
    });
  historyIds = (
    await cairn.db.trafficChange.findMany({
      where: { endpointId: historyEndpoint, status: 'APPLIED' },
      orderBy: { id: 'desc' },
    })
  ).map((row) => row.id.toString());
  modelsCursor = (await ok(`{ models(first: 1) { pageInfo { endCursor } } }`)).models.pageInfo.endCursor;
});

describe('endpoints(provider, first, after)', () => {
  it('pages through every endpoint with after, each exactly once, by provider then name', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { endpoints }: { endpoints: any } = await ok(ENDPOINTS, { first: 2, after });
      expect(endpoints.totalCount).toBe(NAMES.length);
      expect(endpoints.nodes).toEqual(endpoints.edges.map((e: { node: unknown }) => e.node));
      expect(endpoints.pageInfo).toMatchObject({
        hasPreviousPage: after !== null,
        startCursor: endpoints.edges[0].cursor,
        endCursor: endpoints.edges.at(-1).cursor,
      });
      seen.push(...endpoints.nodes.map((n: { name: string }) => n.name));
      pages++;
      if (!endpoints.pageInfo.hasNextPage) break;
      after = endpoints.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(NAMES);
  });

  it('refuses a page over 500, a malformed cursor and a cursor of another list with BAD_USER_INPUT', async () => {
    expect(await problems(ENDPOINTS, { first: 501 })).toEqual([
      { path: 'first', message: 'must be between 1 and 500' },
    ]);
    expect(await problems(ENDPOINTS, { first: 2, after: 'not-a-cursor' })).toEqual([
      { path: 'after', message: 'is not a cursor this list gave' },
    ]);
    expect(await problems(ENDPOINTS, { first: 2, after: modelsCursor })).toEqual([
      { path: 'after', message: 'is not a cursor this list gave' },
    ]);
    const historyCursor = (await ok(HISTORY, { id: historyEndpoint, first: 1 })).endpoint.trafficHistory.pageInfo
      .endCursor;
    expect(await problems(ENDPOINTS, { first: 2, after: historyCursor })).toEqual([
      { path: 'after', message: 'is not a cursor this list gave' },
    ]);
  });
});

describe('Endpoint.trafficHistory', () => {
  it('pages forward with first/after, newest first, each change exactly once', async () => {
    expect(historyIds).toHaveLength(7);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await ok(HISTORY, { id: historyEndpoint, first: 3, after })).endpoint.trafficHistory;
      expect(page.totalCount).toBe(7);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.nodes.map((n: { id: string }) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(historyIds);
  });

  it('reads backward with last/before: the oldest first page, then the newer ones, edges still newest first', async () => {
    const pages: string[][] = [];
    let before: string | null = null;
    for (;;) {
      const page: any = (await ok(HISTORY, { id: historyEndpoint, last: 3, before })).endpoint.trafficHistory;
      expect(page.totalCount).toBe(7);
      // Read backward: more lie before the page until the list's start; the item `before` named follows it.
      expect(page.pageInfo.hasNextPage).toBe(before !== null);
      expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
      pages.push(page.nodes.map((n: { id: string }) => n.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(pages).toEqual([historyIds.slice(4), historyIds.slice(1, 4), historyIds.slice(0, 1)]);
    // The oldest change is the first deploy.
    const oldest = (await ok(HISTORY, { id: historyEndpoint, last: 1 })).endpoint.trafficHistory.nodes;
    expect(oldest).toEqual([{ id: historyIds.at(-1), reason: 'DEPLOY' }]);
  });

  it('refuses first with last, first or last over 500, and a malformed or foreign cursor with BAD_USER_INPUT', async () => {
    const id = historyEndpoint;
    expect(await problems(HISTORY, { id, first: 2, last: 2 })).toEqual([
      { path: 'last', message: 'give first or last, not both' },
    ]);
    expect(await problems(HISTORY, { id, first: 501 })).toEqual([
      { path: 'first', message: 'must be between 1 and 500' },
    ]);
    expect(await problems(HISTORY, { id, last: 501 })).toEqual([
      { path: 'last', message: 'must be between 1 and 500' },
    ]);
    const notOurs = [{ path: 'before', message: 'is not a cursor this list gave' }];
    expect(await problems(HISTORY, { id, last: 2, before: 'bm90LWEtY3Vyc29y' })).toEqual(notOurs);
    expect(await problems(HISTORY, { id, last: 2, before: modelsCursor })).toEqual(notOurs);
    const endpointCursor = (await ok(ENDPOINTS, { first: 1 })).endpoints.pageInfo.endCursor;
    expect(await problems(HISTORY, { id, first: 2, after: endpointCursor })).toEqual([
      { path: 'after', message: 'is not a cursor this list gave' },
    ]);
  });
});

describe('nested connections under many endpoints', () => {
  const NESTED = `query($first: Int!) { endpoints(provider: "builtin", first: $first) { nodes { name
    deployments(first: 2) { totalCount nodes { id } pageInfo { hasNextPage endCursor } }
    rollouts(first: 2) { totalCount nodes { id } }
    trafficHistory(first: 2) { totalCount nodes { id } } } } }`;

  it('pages each endpoint on its own, with the same statements for five endpoints as for one', async () => {
    const { endpoints } = await ok(NESTED, { first: 5 });
    const byName = Object.fromEntries(endpoints.nodes.map((e: { name: string }) => [e.name, e]));
    expect(byName['conn-c'].deployments).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: false } });
    expect(byName['conn-c'].trafficHistory).toEqual({
      totalCount: 7,
      nodes: historyIds.slice(0, 2).map((id) => ({ id })),
    });
    expect(byName['conn-a']).toMatchObject({
      deployments: { totalCount: 0, nodes: [] },
      rollouts: { totalCount: 0, nodes: [] },
      trafficHistory: { totalCount: 0, nodes: [] },
    });
    const one = await countStatements(() => ok(NESTED, { first: 1 }));
    const five = await countStatements(() => ok(NESTED, { first: 5 }));
    expect(five).toBe(one);
  });

  it("pages an endpoint's deployments, oldest first, with after", async () => {
    const PAGE = `query($id: ID!, $after: String) { endpoint(id: $id) { deployments(first: 1, after: $after) {
      nodes { id } pageInfo { hasNextPage endCursor } } } }`;
    const first = (await ok(PAGE, { id: historyEndpoint })).endpoint.deployments;
    const second = (await ok(PAGE, { id: historyEndpoint, after: first.pageInfo.endCursor })).endpoint.deployments;
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.pageInfo.hasNextPage).toBe(false);
    const ids = (
      await cairn.db.deployment.findMany({ where: { endpointId: historyEndpoint }, orderBy: { createdAt: 'asc' } })
    ).map((d) => ({ id: d.id }));
    expect([...first.nodes, ...second.nodes]).toEqual(ids);
  });
});
