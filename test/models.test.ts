import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURE_VIEW_INPUT, graphql, startTestCairn, type TestCairn } from './testkit.ts';

const REGISTER = `mutation($input: RegisterModelVersionInput!) { registerModelVersion(input: $input) { id version stage aliases tags fairnessMetrics description parentVersion { id } } }`;
const POLICY = `mutation($input: ApplyPolicyInput!) { applyPolicy(input: $input) { name version appliesTo severity enabled source } }`;
const PROMOTE = `mutation($input: PromoteModelVersionInput!) {
  promoteModelVersion(input: $input) {
    allowed applied dryRun replayed previousHolderId
    promotion { id from to status actor reason modelVersion { id stage } }
    violations { policy message severity } warnings { policy message }
    evaluations { policy version outcome error }
  }
}`;

let cairn: TestCairn;
let modelCounter = 0;

beforeAll(async () => {
  // trusted-header mode, so each request can act as a different person (as behind an auth proxy).
  cairn = await startTestCairn({ CAIRN_AUTH: 'trusted-header' });
});
afterAll(async () => {
  await cairn?.close();
});

/** A query as `actor` with `roles`. */
async function as<T = any>(actor: string, query: string, variables?: Record<string, unknown>, roles: string[] = []) {
  const response = await fetch(`${cairn.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cairn-actor': actor, 'x-cairn-roles': roles.join(',') },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, any> }[] };
}

async function register(model: string, input: Record<string, unknown> = {}) {
  const answer = await as('ci-bot', REGISTER, { input: { model, ...input } });
  expect(answer.errors).toBeUndefined();
  return answer.data.registerModelVersion as { id: string; version: number };
}

function uniqueModel(prefix: string) {
  return `${prefix}-${++modelCounter}`;
}

async function stageOf(id: string) {
  return (await as('viewer', '{ modelVersion(id: "' + id + '") { stage } }')).data.modelVersion.stage;
}

describe('identity', () => {
  it('refuses a request without an identity in trusted-header mode', async () => {
    const answer = await graphql(cairn.url, '{ providers { name } }');
    expect(answer.status).toBe(401);
    expect(answer.errors![0]!.extensions!.code).toBe('UNAUTHENTICATED');
  });
});

describe('the registry', () => {
  it('keeps full metadata, lineage to the parent, and finds versions by stage, tag, provider and metric bounds', async () => {
    const model = uniqueModel('search');
    const v1 = await register(model, {
      metrics: { auc: 0.71 },
      tags: ['team:fraud', 'baseline'],
      description: 'first cut',
      fairnessMetrics: { dp_gap: 0.04 },
    });
    const v2 = await register(model, { metrics: { auc: 0.83 }, tags: ['team:fraud'], parentVersionId: v1.id });
    const v3 = await register(model, { metrics: { auc: 0.91 }, tags: ['team:fraud'] });
    expect(
      (await as('x', `{ modelVersion(id: "${v2.id}") { parentVersion { id } description tags } }`)).data.modelVersion,
    ).toEqual({ parentVersion: { id: v1.id }, description: null, tags: ['team:fraud'] });
    const first = await as('x', `{ modelVersion(id: "${v1.id}") { description fairnessMetrics tags createdBy } }`);
    expect(first.data.modelVersion).toEqual({
      description: 'first cut',
      fairnessMetrics: { dp_gap: 0.04 },
      tags: ['team:fraud', 'baseline'],
      createdBy: 'ci-bot',
    });
    const edges = await cairn.db.lineageEdge.findMany({ where: { toId: v2.id, relation: 'FINE_TUNED_FROM' } });
    expect(edges.map((e) => e.fromId)).toEqual([v1.id]);

    const search = `query($filter: ModelVersionFilter, $first: Int, $after: String) { modelVersions(filter: $filter, first: $first, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }`;
    const good = await as('x', search, { filter: { model, metrics: [{ name: 'auc', min: 0.8 }] } });
    expect(good.data.modelVersions.nodes.map((n: { id: string }) => n.id)).toEqual([v3.id, v2.id]);
    const band = await as('x', search, { filter: { model, metrics: [{ name: 'auc', min: 0.8, max: 0.9 }] } });
    expect(band.data.modelVersions.nodes).toEqual([{ id: v2.id }]);
    const tagged = await as('x', search, {
      filter: { modelPrefix: 'search-', tag: 'baseline', provider: 'builtin', stage: 'NONE' },
    });
    expect(tagged.data.modelVersions.nodes).toEqual([{ id: v1.id }]);
    const page1 = await as('x', search, { filter: { model }, first: 2 });
    expect(page1.data.modelVersions.pageInfo.hasNextPage).toBe(true);
    const page2 = await as('x', search, {
      filter: { model },
      first: 2,
      after: page1.data.modelVersions.pageInfo.endCursor,
    });
    expect(
      [...page1.data.modelVersions.nodes, ...page2.data.modelVersions.nodes].map((n: { id: string }) => n.id),
    ).toEqual([v3.id, v2.id, v1.id]);
    expect(page2.data.modelVersions.pageInfo.hasNextPage).toBe(false);
  });

  it('moves an alias between versions of a model', async () => {
    const model = uniqueModel('alias');
    const v1 = await register(model);
    const v2 = await register(model);
    const set = `mutation($input: SetModelAliasInput!) { setModelAlias(input: $input) { id aliases } }`;
    await as('x', set, { input: { modelVersionId: v1.id, alias: 'champion' } });
    const moved = await as('x', set, { input: { modelVersionId: v2.id, alias: 'champion' } });
    expect(moved.data.setModelAlias.aliases).toEqual(['champion']);
    expect((await as('x', `{ modelVersion(id: "${v1.id}") { aliases } }`)).data.modelVersion.aliases).toEqual([]);
    const bad = await as('x', set, { input: { modelVersionId: v2.id, alias: 'Not An Alias' } });
    expect(bad.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('policies', () => {
  it('refuses an expression that does not compile or names unknown variables, and writes nothing', async () => {
    const before = await cairn.db.policy.count();
    for (const expression of ['candidate.metrics.auc >=', 'candidat.metrics.auc > 0.5', 'candidate.model']) {
      const answer = await as('admin', POLICY, {
        input: { name: 'broken', appliesTo: 'PRODUCTION', expression, message: 'x' },
      });
      expect(answer.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(answer.errors![0]!.extensions!.problems[0].path).toBe('input.expression');
    }
    expect(await cairn.db.policy.count()).toBe(before);
  });

  it('versions a policy: the same definition keeps its version, a change makes a new one', async () => {
    const input = {
      name: 'versioned',
      appliesTo: 'ARCHIVED',
      expression: 'true',
      message: 'm',
      modelPattern: 'nothing-matches-*',
    };
    expect((await as('admin', POLICY, { input })).data.applyPolicy.version).toBe(1);
    expect((await as('admin', POLICY, { input })).data.applyPolicy.version).toBe(1);
    expect((await as('admin', POLICY, { input: { ...input, severity: 'WARN' } })).data.applyPolicy).toMatchObject({
      version: 2,
      severity: 'WARN',
    });
    const history = await as('x', '{ policyHistory(name: "versioned") { version severity } }');
    expect(history.data.policyHistory).toEqual([
      { version: 2, severity: 'WARN' },
      { version: 1, severity: 'BLOCK' },
    ]);
  });
});

describe('promotions', () => {
  it('denies with the policy named and the full trace, changes nothing, and records the denial', async () => {
    const model = uniqueModel('deny');
    await as('admin', POLICY, {
      input: {
        name: `${model}-auc-floor`,
        appliesTo: 'STAGING',
        modelPattern: model,
        expression: 'candidate.metrics.auc >= 0.8',
        message: 'AUC must be at least 0.8',
      },
    });
    await as('admin', POLICY, {
      input: {
        name: `${model}-commit`,
        appliesTo: 'STAGING',
        modelPattern: model,
        expression: 'has(candidate.gitCommit)',
        message: 'record the git commit',
        severity: 'WARN',
      },
    });
    await as('admin', POLICY, {
      input: {
        name: `${model}-latency`,
        appliesTo: 'STAGING',
        modelPattern: model,
        expression: 'candidate.metrics.p99_ms < 50.0',
        message: 'p99 under 50 ms',
      },
    });
    const v = await register(model, { metrics: { auc: 0.75 } });
    const answer = await as('ci-bot', PROMOTE, { input: { modelVersionId: v.id, to: 'STAGING', reason: 'nightly' } });
    expect(answer.errors).toBeUndefined();
    const result = answer.data.promoteModelVersion;
    expect(result).toMatchObject({ allowed: false, applied: false, dryRun: false, replayed: false });
    expect(result.promotion).toMatchObject({
      from: 'NONE',
      to: 'STAGING',
      status: 'DENIED',
      actor: 'ci-bot',
      reason: 'nightly',
      modelVersion: { id: v.id, stage: 'NONE' },
    });
    expect(result.violations.map((x: { policy: string }) => x.policy).sort()).toEqual([
      `${model}-auc-floor`,
      `${model}-latency`,
    ]);
    expect(result.violations.find((x: { policy: string }) => x.policy === `${model}-latency`).message).toContain(
      'p99 under 50 ms',
    );
    expect(result.warnings).toEqual([{ policy: `${model}-commit`, message: 'record the git commit' }]);
    const outcomes = Object.fromEntries(
      result.evaluations.map((e: { policy: string; outcome: string }) => [e.policy, e.outcome]),
    );
    // A missing metric fails closed: ERRORED counts as a violation.
    expect(outcomes).toEqual({
      [`${model}-auc-floor`]: 'FAILED',
      [`${model}-commit`]: 'FAILED',
      [`${model}-latency`]: 'ERRORED',
    });
    expect(await stageOf(v.id)).toBe('NONE');
    const audit = await cairn.db.auditEvent.findFirst({ where: { subjectId: v.id, action: 'promoteModelVersion' } });
    expect(audit).toMatchObject({ outcome: 'DENIED', actor: 'ci-bot' });
  });

  it('answers a dry run with the verdict and records nothing', async () => {
    const model = uniqueModel('dry');
    await as('admin', POLICY, {
      input: {
        name: `${model}-auc`,
        appliesTo: 'PRODUCTION',
        modelPattern: model,
        expression: 'candidate.metrics.auc >= 0.8',
        message: 'auc',
      },
    });
    const v = await register(model, { metrics: { auc: 0.9 } });
    const auditBefore = await cairn.db.auditEvent.count();
    const answer = await as('ci-bot', PROMOTE, { input: { modelVersionId: v.id, to: 'PRODUCTION', dryRun: true } });
    expect(answer.data.promoteModelVersion).toMatchObject({
      allowed: true,
      applied: false,
      dryRun: true,
      promotion: null,
      violations: [],
    });
    expect(answer.data.promoteModelVersion.evaluations).toEqual([
      { policy: `${model}-auc`, version: 1, outcome: 'PASSED', error: null },
    ]);
    expect(await stageOf(v.id)).toBe('NONE');
    expect(await cairn.db.promotion.count({ where: { modelVersionId: v.id } })).toBe(0);
    expect(await cairn.db.auditEvent.count()).toBe(auditBefore);
  });

  it('waits for approvals (PENDING_APPROVAL), then promotes and archives the previous PRODUCTION holder', async () => {
    const model = uniqueModel('approve');
    await as('admin', POLICY, {
      input: {
        name: `${model}-two-approvals`,
        appliesTo: 'PRODUCTION',
        modelPattern: model,
        expression: 'size(approvals.filter(a, a.to == target && a.role == "ml-lead")) >= 2',
        message: 'two ML leads must approve',
      },
    });
    const v1 = await register(model);
    const v2 = await register(model);
    const approve = `mutation($input: ApproveModelVersionInput!) { approveModelVersion(input: $input) { actor role to } }`;
    for (const v of [v1, v2]) {
      for (const lead of ['alice', 'bob'])
        await as(lead, approve, { input: { modelVersionId: v.id, to: 'PRODUCTION', comment: 'lgtm' } }, ['ml-lead']);
    }
    const twice = await as('alice', approve, { input: { modelVersionId: v1.id, to: 'PRODUCTION' } }, ['ml-lead']);
    expect(twice.errors![0]!.extensions!.code).toBe('CONFLICT');

    const v3 = await register(model);
    await as('alice', approve, { input: { modelVersionId: v3.id, to: 'PRODUCTION' } }, ['ml-lead']);
    const pending = await as('ci-bot', PROMOTE, { input: { modelVersionId: v3.id, to: 'PRODUCTION' } });
    expect(pending.data.promoteModelVersion.promotion.status).toBe('PENDING_APPROVAL');

    const first = await as('ci-bot', PROMOTE, { input: { modelVersionId: v1.id, to: 'PRODUCTION' } });
    expect(first.data.promoteModelVersion).toMatchObject({
      allowed: true,
      applied: true,
      previousHolderId: null,
      promotion: { status: 'APPLIED', modelVersion: { stage: 'PRODUCTION' } },
    });
    const second = await as('ci-bot', PROMOTE, { input: { modelVersionId: v2.id, to: 'PRODUCTION' } });
    expect(second.data.promoteModelVersion).toMatchObject({ applied: true, previousHolderId: v1.id });
    expect(await stageOf(v1.id)).toBe('ARCHIVED');
    expect(await stageOf(v2.id)).toBe('PRODUCTION');
    const history = await as(
      'x',
      `{ promotions(modelVersionId: "${v3.id}") { status } modelVersion(id: "${v1.id}") { approvals { actor role to } promotions { status to } } }`,
    );
    expect(history.data.promotions).toEqual([{ status: 'PENDING_APPROVAL' }]);
    expect(history.data.modelVersion.approvals).toEqual([
      { actor: 'alice', role: 'ml-lead', to: 'PRODUCTION' },
      { actor: 'bob', role: 'ml-lead', to: 'PRODUCTION' },
    ]);
  });

  it('blocks a promotion while a used feature has an open incident', async () => {
    const model = uniqueModel('incident');
    const view = await as(
      'admin',
      'mutation($input: ApplyFeatureViewInput!) { applyFeatureView(input: $input) { features { id } } }',
      { input: { ...FEATURE_VIEW_INPUT, name: `${model.replace('-', '_')}_features` } },
    );
    const featureId = view.data.applyFeatureView.features[0].id;
    await as('admin', POLICY, {
      input: {
        name: `${model}-no-incidents`,
        appliesTo: 'STAGING',
        modelPattern: model,
        expression: 'features.all(f, f.openIncidents == 0)',
        message: 'used features must have no open incidents',
      },
    });
    const v = await register(model, { featureIds: [featureId] });
    const incident = await cairn.db.featureIncident.create({
      data: { featureId, severity: 'HIGH', description: 'null rate spiked' },
    });
    const blocked = await as('ci-bot', PROMOTE, { input: { modelVersionId: v.id, to: 'STAGING' } });
    expect(blocked.data.promoteModelVersion.violations).toEqual([
      { policy: `${model}-no-incidents`, message: 'used features must have no open incidents', severity: 'BLOCK' },
    ]);
    await cairn.db.featureIncident.update({
      where: { id: incident.id },
      data: { status: 'RESOLVED', resolvedAt: new Date() },
    });
    const allowed = await as('ci-bot', PROMOTE, { input: { modelVersionId: v.id, to: 'STAGING' } });
    expect(allowed.data.promoteModelVersion.applied).toBe(true);
  });

  it('replays an idempotency key without doing anything again, and refuses the key for another request', async () => {
    const model = uniqueModel('idem');
    const v = await register(model);
    const input = { modelVersionId: v.id, to: 'STAGING', idempotencyKey: `${model}-run-42`, reason: 'ci' };
    const first = await as('ci-bot', PROMOTE, { input });
    const auditAfterFirst = await cairn.db.auditEvent.count();
    const again = await as('ci-bot', PROMOTE, { input });
    expect(again.data.promoteModelVersion).toMatchObject({
      applied: true,
      replayed: true,
      promotion: { id: first.data.promoteModelVersion.promotion.id },
    });
    expect(await cairn.db.promotion.count({ where: { modelVersionId: v.id } })).toBe(1);
    expect(await cairn.db.auditEvent.count()).toBe(auditAfterFirst);
    const other = await as('ci-bot', PROMOTE, { input: { ...input, to: 'PRODUCTION' } });
    expect(other.errors![0]!.extensions!.code).toBe('CONFLICT');
  });

  it('refuses a stale expected holder with CONFLICT', async () => {
    const model = uniqueModel('expect');
    const v1 = await register(model);
    const v2 = await register(model);
    await as('ci-bot', PROMOTE, {
      input: { modelVersionId: v1.id, to: 'PRODUCTION', expectedCurrentVersionId: 'none' },
    });
    const stale = await as('ci-bot', PROMOTE, {
      input: { modelVersionId: v2.id, to: 'PRODUCTION', expectedCurrentVersionId: 'none' },
    });
    expect(stale.errors![0]!.extensions!.code).toBe('CONFLICT');
    expect(await stageOf(v2.id)).toBe('NONE');
    const fresh = await as('ci-bot', PROMOTE, {
      input: { modelVersionId: v2.id, to: 'PRODUCTION', expectedCurrentVersionId: v1.id },
    });
    expect(fresh.data.promoteModelVersion.applied).toBe(true);
  });

  it('serializes racing promotions of one model: one holder, every applied promotion chained to the one before', async () => {
    const model = uniqueModel('race');
    const versions = [];
    for (let i = 0; i < 8; i++) versions.push(await register(model));
    const results = await Promise.all(
      versions.map((v, i) =>
        as(`runner-${i}`, PROMOTE, {
          input: { modelVersionId: v.id, to: 'PRODUCTION', idempotencyKey: `${model}-${i}` },
        }),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const applied = results.map((r) => r.data.promoteModelVersion).filter((r) => r.applied);
    expect(applied).toHaveLength(8);
    const holders = await cairn.db.modelVersion.findMany({ where: { model: { name: model }, stage: 'PRODUCTION' } });
    expect(holders).toHaveLength(1);
    // No lost update: the previous holders form one chain from null to the final holder.
    const byPrevious = new Map<string | null, string>(
      applied.map((r) => [r.previousHolderId, r.promotion.modelVersion.id]),
    );
    const order: string[] = [];
    for (let next = byPrevious.get(null); next !== undefined; next = byPrevious.get(next)) order.push(next);
    expect(order).toHaveLength(8);
    expect(order.at(-1)).toBe(holders[0]!.id);
    expect(await cairn.db.modelVersion.count({ where: { model: { name: model }, stage: 'ARCHIVED' } })).toBe(7);
  });
});

describe('the audit log', () => {
  it('verifies its hash chain and names the first tampered or missing event', async () => {
    for (let i = 0; i < 6; i++) await register(uniqueModel('audit'));
    const verify = '{ verifyAuditChain { ok checked firstBrokenId reason } }';
    const clean = await as('auditor', verify);
    expect(clean.data.verifyAuditChain).toMatchObject({ ok: true, firstBrokenId: null });
    expect(clean.data.verifyAuditChain.checked).toBeGreaterThan(5);

    const page = await as(
      'auditor',
      '{ auditEvents(first: 3) { nodes { id action actor hash } hasNextPage endCursor } }',
    );
    expect(page.data.auditEvents.nodes).toHaveLength(3);
    expect(page.data.auditEvents.hasNextPage).toBe(true);
    const next = await as(
      'auditor',
      `{ auditEvents(first: 3, after: "${page.data.auditEvents.endCursor}") { nodes { id } } }`,
    );
    expect(BigInt(next.data.auditEvents.nodes[0].id)).toBeLessThan(BigInt(page.data.auditEvents.endCursor));

    const victim = await cairn.db.auditEvent.findFirst({ orderBy: { id: 'asc' }, skip: 2 });
    await cairn.db.$executeRaw`UPDATE audit_event SET actor = 'mallory' WHERE id = ${victim!.id}`;
    const tampered = await as('auditor', verify);
    expect(tampered.data.verifyAuditChain).toMatchObject({ ok: false, firstBrokenId: victim!.id.toString() });
    expect(tampered.data.verifyAuditChain.reason).toContain('changed');
    await cairn.db.$executeRaw`UPDATE audit_event SET actor = ${victim!.actor} WHERE id = ${victim!.id}`;
    expect((await as('auditor', verify)).data.verifyAuditChain.ok).toBe(true);

    const next2 = await cairn.db.auditEvent.findFirst({ where: { id: { gt: victim!.id } }, orderBy: { id: 'asc' } });
    await cairn.db.$executeRaw`DELETE FROM audit_event WHERE id = ${victim!.id}`;
    const deleted = await as('auditor', verify);
    expect(deleted.data.verifyAuditChain).toMatchObject({ ok: false, firstBrokenId: next2!.id.toString() });
    // Put it back, as the testkit checks the chain when this file's Cairn closes.
    await cairn.db.auditEvent.create({ data: { ...victim!, payload: victim!.payload as object } });
    expect((await as('auditor', verify)).data.verifyAuditChain.ok).toBe(true);
  });
});

describe('a promotion the owning registry refuses', () => {
  it('changes nothing, records a FAILED attempt and its audit event, and answers UPSTREAM_UNAVAILABLE', async () => {
    const { PromotionService } = await import('../subgraphs/models/promotion/service.ts');
    const { UpstreamUnavailableError } = await import('../platform/errors.ts');
    const failing = {
      providerName: 'builtin',
      registerVersion: async () => ({ nativeId: 'x' }),
      transitionStage: async () => {
        throw new UpstreamUnavailableError('builtin', 'the registry is throttling');
      },
      stageOf: async () => 'NONE' as const,
    };
    const promotions = new PromotionService(cairn.db, () => failing, cairn.services.models.webhooks);
    const v = await register(uniqueModel('refused'));
    const error = await promotions
      .promote({ modelVersionId: v.id, to: 'STAGING' }, { actor: 'ci-bot', roles: [] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
    expect(await stageOf(v.id)).toBe('NONE');
    expect(
      await cairn.db.promotion.findMany({ where: { modelVersionId: v.id }, select: { status: true, toStage: true } }),
    ).toEqual([{ status: 'FAILED', toStage: 'STAGING' }]);
    expect(
      await cairn.db.auditEvent.findFirst({
        where: { subjectId: v.id, action: 'promoteModelVersion' },
        select: { outcome: true },
      }),
    ).toEqual({ outcome: 'FAILED' });
  });
});
