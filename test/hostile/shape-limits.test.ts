import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, visit, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInRequestScope } from '../../platform/request-scope.ts';
import { countStatements, FEATURE_VIEW_INPUT, startTestCairn, type TestCairn } from '../testkit.ts';

let cairn: TestCairn;
let featureId: string;
let modelVersionId: string;

beforeAll(async () => {
  cairn = await startTestCairn();
  const view = await cairn.data(
    `mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { features { id } } }`,
    { input: FEATURE_VIEW_INPUT },
  );
  featureId = view.applyFeatureView.features[0].id;
  const version = await cairn.data(
    `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`,
    { input: { model: 'shape', featureIds: [featureId] } },
  );
  modelVersionId = version.registerModelVersion.id;
});
afterAll(async () => {
  await cairn?.close();
});

/** Sends a query and answers its status, its errors and how many SQL statements it caused. */
async function attempt(query: string, variables?: Record<string, unknown>) {
  let answer!: Awaited<ReturnType<TestCairn['query']>>;
  const statements = await countStatements(async () => {
    answer = await cairn.query(query, variables);
  });
  return { ...answer, statements };
}

/** feature -> usedBy -> deployments -> modelVersion -> features -> usedBy ..., `levels` fields deep. */
function nestedQuery(levels: number): string {
  const cycle = ['usedBy', 'deployments', 'modelVersion', 'features'];
  let selection = 'id';
  for (let level = levels - 2; level >= 1; level--) selection = `${cycle[(level - 1) % cycle.length]} { ${selection} }`;
  return `query($id: ID!) { feature(id: $id) { ${selection} } }`;
}

describe('query shape limits at the gateway', () => {
  it('refuses a query nested 62 levels, naming the depth limit, before any resolver runs', async () => {
    const query = nestedQuery(62);
    expect(query.length).toBeLessThan(1100);
    const refused = await attempt(query, { id: featureId });
    expect(refused.status).toBe(400);
    expect(refused.data).toBeUndefined();
    expect(refused.errors).toEqual([
      expect.objectContaining({
        message: 'query depth 62 is over the limit of 10 (CAIRN_MAX_QUERY_DEPTH)',
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', limit: 'depth', max: 10, found: 62 }),
      }),
    ]);
    expect(refused.statements).toBe(0);
  });

  it('refuses alias bombs of impact, naming the limit, before any resolver runs', async () => {
    const bomb = (count: number) =>
      `query($id: ID!) { ${Array.from({ length: count }, (_, i) => `i${i}: impact(id: $id) { root }`).join(' ')} }`;
    // 1000 aliases are 12,000 tokens: the parser stops at the token bound before building the document.
    const thousand = await attempt(bomb(1000), { id: featureId });
    expect(thousand.status).toBe(400);
    expect(thousand.errors).toHaveLength(1);
    expect(thousand.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'tokens', max: 2000 });
    expect(thousand.statements).toBe(0);

    const hundred = await attempt(bomb(100), { id: featureId });
    expect(hundred.status).toBe(400);
    expect(hundred.errors).toHaveLength(1);
    expect(hundred.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      limit: 'aliases',
      max: 15,
      found: 100,
    });
    expect(hundred.errors![0]!.message).toBe('query has 100 aliases, over the limit of 15 (CAIRN_MAX_QUERY_ALIASES)');
    expect(hundred.statements).toBe(0);

    const few = await cairn.query(bomb(15), { id: featureId });
    expect(few.errors).toBeUndefined();
  });

  it('refuses a costly list by its first/limit argument, and a lineage walk by its limit, before any resolver runs', async () => {
    const fanOut = await attempt(
      '{ endpoints(first: 500) { nodes { deployments(first: 500) { nodes { modelVersion { features { usedBy { id } } } } } } } }',
    );
    expect(fanOut.status).toBe(400);
    expect(fanOut.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost', max: 100_000 });
    expect(fanOut.errors![0]!.extensions!.found).toBeGreaterThan(100_000);
    expect(fanOut.statements).toBe(0);

    // The same walk is fine with a small limit, and refused with a large one (the limit comes in a variable).
    const walk = `query($id: ID!, $limit: Int!) { lineage(id: $id, depth: 10, limit: $limit) {
      nodes { id kind feature { name featureView { name owner } openIncidents { id } } modelVersion { id stage model { name } } deployment { id } }
      edges { from to relation } } }`;
    const small = await cairn.query(walk, { id: featureId, limit: 100 });
    expect(small.errors).toBeUndefined();
    expect(small.data.lineage.nodes.map((n: { id: string }) => n.id)).toContain(modelVersionId);
    const large = await attempt(walk, { id: featureId, limit: 10_000 });
    expect(large.status).toBe(400);
    expect(large.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'cost' });
    expect(large.statements).toBe(0);
  });

  it('refuses a document of too many tokens, naming the token limit', async () => {
    const refused = await attempt(`{ ${Array.from({ length: 3000 }, () => '__typename').join(' ')} }`);
    expect(refused.status).toBe(400);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: 'tokens', max: 2000 });
    expect(refused.errors![0]!.message).toContain('CAIRN_MAX_QUERY_TOKENS');
    expect(refused.statements).toBe(0);
  });

  it("passes every one of the dashboard's own operations (web/src), at the sizes the dashboard asks for", async () => {
    const operations = dashboardOperations();
    expect(operations.length).toBeGreaterThan(15);
    for (const { name, document, operation } of operations) {
      // Variables as the dashboard sends them at its largest (a lineage of depth 10, pages of 20); the
      // mutations are sent without their input: refused by variable coercion, so nothing is written.
      const variables = operation.operation === 'query' ? variablesFor(operation) : {};
      const answer = await cairn.query(document, variables);
      const refusedForShape = (answer.errors ?? []).filter((e) => e.extensions?.limit);
      expect(refusedForShape, name).toEqual([]);
      if (operation.operation === 'query') expect(answer.status, name).toBe(200);
    }
  });
});

const WEB_SRC = fileURLToPath(new URL('../../web/src', import.meta.url));

/** Every `graphql(\`…\`)` document of the dashboard, each operation with the fragments it spreads. */
function dashboardOperations(): { name: string; document: string; operation: OperationDefinitionNode }[] {
  const files = readdirSync(WEB_SRC, { recursive: true, encoding: 'utf8' }).filter(
    (f) => /\.tsx?$/.test(f) && !f.startsWith('gql'),
  );
  const texts = files.flatMap((file) =>
    [...readFileSync(join(WEB_SRC, file), 'utf8').matchAll(/graphql\(`([^`]*)`\)/g)].map((m) => m[1]!),
  );
  const fragments = new Map<string, string>();
  const operations: { text: string; document: DocumentNode }[] = [];
  for (const text of texts) {
    const document = parse(text);
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, text);
      else operations.push({ text, document });
    }
  }
  return operations.map(({ text, document }) => {
    const spread = new Set<string>();
    visit(document, { FragmentSpread: (node) => void spread.add(node.name.value) });
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )!;
    return {
      name: operation.name?.value ?? text.slice(0, 40),
      document: [text, ...[...spread].map((f) => fragments.get(f)!)].join('\n'),
      operation,
    };
  });
}

function variablesFor(operation: OperationDefinitionNode): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = JSON.stringify(definition.type);
    if (name === 'depth') variables[name] = 10;
    else if (name === 'offset') variables[name] = 0;
    else if (type.includes('"Int"')) variables[name] = 20;
    else if (type.includes('"LineageDirection"')) variables[name] = 'BOTH';
    else if (type.includes('"ID"')) variables[name] = name === 'id' ? featureId : modelVersionId;
    else if (type.includes('"String"') && definition.type.kind === Kind.NON_NULL_TYPE) variables[name] = 'driver_stats';
  }
  return variables;
}

/** Counts the SQL statements this process sends from now on (leaving out the job queue's polling). */
function watchStatements() {
  let count = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    if (!/cairn_jobs\./.test(typeof first === 'string' ? first : (first?.text ?? ''))) count++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return {
    /** Statements since the last call. */
    take: () => {
      const taken = count;
      count = 0;
      return taken;
    },
    stop: () => {
      pg.Client.prototype.query = original;
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('abandoned work', () => {
  let loose: TestCairn;
  let root: string;
  // Limits raised, as an operator may: the point here is what becomes of work nobody waits for. 1000
  // aliases of impact send 3000 statements, for several seconds.
  const bomb = `query($id: ID!) { ${Array.from({ length: 1000 }, (_, i) => `i${i}: impact(id: $id) { root summary { modelVersions } }`).join(' ')} }`;
  const send = (signal?: AbortSignal) =>
    fetch(`${loose.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: bomb, variables: { id: root } }),
      signal,
    });

  beforeAll(async () => {
    loose = await startTestCairn({
      CAIRN_MAX_QUERY_ALIASES: '100000',
      CAIRN_MAX_QUERY_TOKENS: '10000000',
      CAIRN_MAX_QUERY_COST: '1000000000',
      CAIRN_SUBGRAPH_TIMEOUT_MS: '3000',
      CAIRN_STATEMENT_TIMEOUT_MS: '500',
    });
    const view = await loose.data(
      `mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { features { id } } }`,
      { input: FEATURE_VIEW_INPUT },
    );
    root = view.applyFeatureView.features[0].id;
    for (let i = 0; i < 5; i++)
      await loose.data(`mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id } }`, {
        input: { model: `abandoned-${i}`, featureIds: [root] },
      });
  });
  afterAll(async () => {
    await loose?.close();
  });

  // What may still run once the answer is given up: the transactions already on a connection (at most
  // one per connection of the pool, four statements each) finish. Without the bound, hundreds follow.
  const IN_FLIGHT = 40;

  /** Statements sent in the 1.5 s after the answer was given up, past the first 300 ms. */
  async function statementsAfter(watch: ReturnType<typeof watchStatements>) {
    await sleep(300);
    watch.take();
    await sleep(1500);
    return watch.take();
  }

  it("stops a query's statements when the client goes away", async () => {
    const watch = watchStatements();
    try {
      const client = new AbortController();
      const sent = send(client.signal).catch(() => 'gone');
      let started = 0;
      const deadline = Date.now() + 20_000;
      while ((started += watch.take()) < 20 && Date.now() < deadline) await sleep(20);
      expect(started).toBeGreaterThanOrEqual(20);
      client.abort();
      expect(await sent).toBe('gone');
      expect(await statementsAfter(watch)).toBeLessThan(IN_FLIGHT);
    } finally {
      watch.stop();
    }
  });

  it("stops a query's statements when its subgraph call times out", async () => {
    const watch = watchStatements();
    try {
      const answer = (await (await send()).json()) as { errors?: { extensions?: { code?: string } }[] };
      expect(answer.errors?.[0]?.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(watch.take()).toBeGreaterThan(20);
      expect(await statementsAfter(watch)).toBeLessThan(IN_FLIGHT);
    } finally {
      watch.stop();
    }
  });

  it.skipIf(!process.env.DATABASE_URL)(
    "bounds each statement of a query by CAIRN_STATEMENT_TIMEOUT_MS on PostgreSQL, never a mutation's or background work's",
    async () => {
      // (Prisma's promises run when awaited: the await has to be inside the scope.)
      const asRequest = <T>(cuttable: boolean, work: () => Promise<T>) =>
        runInRequestScope({ signal: new AbortController().signal, cuttable }, async () => await work());
      const started = Date.now();
      await expect(asRequest(true, () => loose.db.$queryRaw`SELECT pg_sleep(3)::text`)).rejects.toThrow(
        /statement timeout/,
      );
      expect(Date.now() - started).toBeLessThan(2500);
      // A mutation, and work outside any request (jobs, start-up), keep connections without the bound.
      await expect(asRequest(false, () => loose.db.$queryRaw`SELECT pg_sleep(1)::text`)).resolves.toBeDefined();
      await expect(loose.db.$queryRaw`SELECT pg_sleep(1)::text`).resolves.toBeDefined();
    },
  );
});
