import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, type GraphQLAnswer, type TestCairn } from './testkit.ts';

/**
 * Mutations that moved to one `input:` argument keep their old arguments, deprecated, for one
 * release: either form works (each has a test of its deprecated form where the mutation is tested),
 * and both at once, or neither, is BAD_USER_INPUT naming the argument, with nothing written.
 */
const MOVED: { mutation: string; input: Record<string, unknown>; deprecated: Record<string, unknown> }[] = [
  {
    mutation: 'disableWebhookSubscription',
    input: { id: '00000000-0000-4000-8000-000000000000' },
    deprecated: { id: '00000000-0000-4000-8000-000000000000' },
  },
  {
    mutation: 'materialize',
    input: { featureView: 'drivers', endTime: '2026-01-01T00:00:00Z' },
    deprecated: { featureView: 'drivers' },
  },
  {
    mutation: 'removeEndpointDeployRule',
    input: { endpointId: 'endpoint:builtin:nothing' },
    deprecated: { endpointId: 'endpoint:builtin:nothing' },
  },
  {
    mutation: 'resolveFeatureIncident',
    input: { id: '00000000-0000-4000-8000-000000000000' },
    deprecated: { id: '00000000-0000-4000-8000-000000000000' },
  },
  {
    mutation: 'retireDeployment',
    input: { deploymentId: 'deployment:builtin:nothing/v1' },
    deprecated: { deploymentId: 'deployment:builtin:nothing/v1' },
  },
  {
    mutation: 'rollbackEndpoint',
    input: { endpointId: 'endpoint:builtin:nothing' },
    deprecated: { endpointId: 'endpoint:builtin:nothing' },
  },
  { mutation: 'syncProvider', input: { name: 'builtin' }, deprecated: { full: true } },
];

/** GraphQL literal of a flat object of strings and booleans. */
const literal = (values: Record<string, unknown>) =>
  Object.entries(values)
    .map(([name, value]) => `${name}: ${JSON.stringify(value)}`)
    .join(', ');

let cairn: TestCairn;

beforeAll(async () => {
  cairn = await startTestCairn();
});
afterAll(async () => {
  await cairn?.close();
});

function refusedNaming(answer: GraphQLAnswer, paths: string[]) {
  expect(answer.data ?? null, JSON.stringify(answer)).toBeNull();
  const error = answer.errors![0]!;
  expect(error.extensions?.code, error.message).toBe('BAD_USER_INPUT');
  expect(error.extensions?.problems.map((p: { path: string }) => p.path)).toEqual(paths);
}

const written = async () => ({
  audit: await cairn.db.auditEvent.count(),
  materializations: await cairn.db.materializationRun.count(),
  syncs: await cairn.db.syncRun.count(),
});

describe('a mutation whose old arguments are deprecated in favour of input', () => {
  for (const { mutation, input, deprecated } of MOVED) {
    it(`${mutation}: input and a deprecated argument together is BAD_USER_INPUT naming the argument`, async () => {
      const before = await written();
      const answer = await cairn.query(
        `mutation { ${mutation}(input: { ${literal(input)} }, ${literal(deprecated)}) { __typename } }`,
      );
      refusedNaming(answer, Object.keys(deprecated));
      expect(answer.errors![0]!.message).toContain('give input only');
      expect(await written()).toEqual(before);
    });

    it(`${mutation}: neither input nor the deprecated arguments is BAD_USER_INPUT naming input`, async () => {
      const before = await written();
      refusedNaming(await cairn.query(`mutation { ${mutation} { __typename } }`), ['input']);
      // An explicit null is no input either.
      refusedNaming(await cairn.query(`mutation { ${mutation}(input: null) { __typename } }`), ['input']);
      expect(await written()).toEqual(before);
    });
  }

  it('counts a deprecated argument given as null as not given', async () => {
    const answer = await cairn.query(
      `mutation { syncProvider(input: { name: "builtin" }, name: null, full: null) { __typename } }`,
    );
    // Past the check: the built-in provider has nothing to sync.
    expect(answer.errors?.[0]?.extensions?.code).toBe('NOT_SUPPORTED');
  });

  it('refuses the old form without the argument it required (materialize with only endTime)', async () => {
    const answer = await cairn.query(`mutation { materialize(endTime: "2026-01-01T00:00:00Z") { id } }`);
    refusedNaming(answer, ['input']);
    expect(answer.errors![0]!.message).toContain('featureView');
  });
});
