import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabase } from '../platform/database.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { cairnCli, scratchDatabase, startTestCairn, waitFor, type TestCairn } from './testkit.ts';

const PROMOTE = `mutation($input: PromoteModelVersionInput!) {
  promoteModelVersion(input: $input) { allowed applied replayed promotion { id status modelVersion { stage } } }
}`;
const APPROVE = `mutation($input: ApproveModelVersionInput!) { approveModelVersion(input: $input) { id actor to } }`;

let cairn: TestCairn;
beforeAll(async () => {
  // trusted-header mode, so each request can act as a different person (as behind an auth proxy).
  cairn = await startTestCairn({ CAIRN_AUTH: 'trusted-header' });
});
afterAll(async () => {
  await cairn?.close();
});

async function as<T = any>(actor: string, query: string, variables?: Record<string, unknown>, roles: string[] = []) {
  const response = await fetch(`${cairn.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-cairn-actor': actor, 'x-cairn-roles': roles.join(',') },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: T; errors?: { message: string; extensions?: Record<string, any> }[] };
}

async function register(model: string): Promise<string> {
  const answer = await as(
    'ci-bot',
    'mutation($model: String!) { registerModelVersion(input: { model: $model }) { id } }',
    { model },
  );
  expect(answer.errors).toBeUndefined();
  return answer.data.registerModelVersion.id;
}

describe('approvals', () => {
  it('keeps one approval per person however many arrive at once, so one person never counts twice', async () => {
    const model = 'two-person-rule';
    const policy = await as('admin', 'mutation($input: ApplyPolicyInput!) { applyPolicy(input: $input) { version } }', {
      input: {
        name: `${model}-two-approvals`,
        appliesTo: 'PRODUCTION',
        modelPattern: model,
        expression: 'size(approvals.filter(a, a.to == target)) >= 2',
        message: 'two people must approve',
      },
    });
    expect(policy.errors).toBeUndefined();
    const versionId = await register(model);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        as('alice', APPROVE, { input: { modelVersionId: versionId, to: 'PRODUCTION' } }),
      ),
    );
    const approved = answers.filter((a) => !a.errors);
    expect(approved).toHaveLength(1);
    expect(approved[0]!.data.approveModelVersion).toMatchObject({ actor: 'alice', to: 'PRODUCTION' });
    for (const refused of answers.filter((a) => a.errors)) {
      expect(refused.errors![0]!.extensions!.code).toBe('CONFLICT');
      expect(refused.errors![0]!.message).toBe('alice already approved this version for PRODUCTION');
    }
    expect(await cairn.db.approval.count({ where: { modelVersionId: versionId } })).toBe(1);
    expect(await cairn.db.auditEvent.count({ where: { action: 'approveModelVersion', subjectId: versionId } })).toBe(1);

    const pending = await as('ci-bot', PROMOTE, { input: { modelVersionId: versionId, to: 'PRODUCTION' } });
    expect(pending.data.promoteModelVersion).toMatchObject({
      allowed: false,
      applied: false,
      promotion: { status: 'PENDING_APPROVAL', modelVersion: { stage: 'NONE' } },
    });

    expect(
      (await as('bob', APPROVE, { input: { modelVersionId: versionId, to: 'PRODUCTION' } })).errors,
    ).toBeUndefined();
    const promoted = await as('ci-bot', PROMOTE, { input: { modelVersionId: versionId, to: 'PRODUCTION' } });
    expect(promoted.data.promoteModelVersion).toMatchObject({ applied: true, promotion: { status: 'APPLIED' } });
  });
});

describe('upgrading a database where the approval race already struck', () => {
  it("keeps each person's first approval and then refuses a second", async () => {
    const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
    const UNIQUE_APPROVALS = '20261203155621_approval_once_per_actor';
    const before = await mkdtemp(join(tmpdir(), 'cairn-migrations-'));
    const scratch = await scratchDatabase();
    const server = await startDatabase({ databaseUrl: scratch.url, dataDir: scratch.dataDir });
    const client = new pg.Client({ connectionString: server.url });
    try {
      for (const entry of await readdir(MIGRATIONS)) {
        if (entry < UNIQUE_APPROVALS) await cp(join(MIGRATIONS, entry), join(before, entry), { recursive: true });
      }
      await applyMigrations(server.url, { migrationsDir: before });
      await client.connect();
      await client.query(`INSERT INTO provider (name, kind) VALUES ('builtin', 'BUILTIN')`);
      await client.query(
        `INSERT INTO registered_model (id, provider_name, name, native_id) VALUES ('model:builtin:m', 'builtin', 'm', 'm')`,
      );
      await client.query(
        `INSERT INTO model_version (id, model_id, version, native_id) VALUES ('modelVersion:builtin:m/1', 'model:builtin:m', 1, 'm/1')`,
      );
      const approve = (id: string, actor: string, at: string) =>
        client.query(
          `INSERT INTO approval (id, model_version_id, to_stage, actor, created_at) VALUES ($1, 'modelVersion:builtin:m/1', 'PRODUCTION', $2, $3)`,
          [id, actor, at],
        );
      await approve('a-late', 'alice', '2026-12-01T10:00:02Z');
      await approve('a-first', 'alice', '2026-12-01T10:00:00Z');
      await approve('a-again', 'alice', '2026-12-01T10:00:01Z');
      await approve('b-first', 'bob', '2026-12-01T10:00:03Z');

      await applyMigrations(server.url);
      const kept = await client.query(`SELECT id FROM approval ORDER BY id`);
      expect(kept.rows.map((r) => r.id)).toEqual(['a-first', 'b-first']);
      await expect(approve('a-later', 'alice', '2026-12-01T10:00:04Z')).rejects.toMatchObject({ code: '23505' });
    } finally {
      await client.end().catch(() => {});
      await server.close();
      await scratch.drop();
      await rm(before, { recursive: true, force: true });
    }
  });
});

describe('idempotent promotions retried while the first is in flight', () => {
  it('answers every copy of the request with the one promotion, replayed; another request under the key stays a CONFLICT', async () => {
    const versionId = await register('retried-in-flight');
    const input = { modelVersionId: versionId, to: 'STAGING', idempotencyKey: 'pipeline-run-99', reason: 'ci' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => as('ci-bot', PROMOTE, { input })));
    expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
    const results = answers.map((a) => a.data.promoteModelVersion);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(results.filter((r) => r.replayed)).toHaveLength(19);
    const promotionId = results.find((r) => !r.replayed).promotion.id;
    for (const result of results)
      expect(result).toMatchObject({ allowed: true, applied: true, promotion: { id: promotionId, status: 'APPLIED' } });
    expect(await cairn.db.promotion.count({ where: { modelVersionId: versionId } })).toBe(1);
    expect(await cairn.db.auditEvent.count({ where: { action: 'promoteModelVersion', subjectId: versionId } })).toBe(1);

    const other = await Promise.all([
      as('ci-bot', PROMOTE, { input: { ...input, to: 'PRODUCTION' } }),
      as('someone-else', PROMOTE, { input }),
    ]);
    for (const answer of other) {
      expect(answer.errors![0]!.extensions!.code).toBe('CONFLICT');
      expect(answer.errors![0]!.message).toContain('was used for a different promotion request');
    }
    expect(await cairn.db.promotion.count({ where: { modelVersionId: versionId } })).toBe(1);
  });

  it('lets `cairn promote` retry while the first call is still running: every run exits 0', async () => {
    const versionId = await register('cli-retried-in-flight');
    const promotions = cairn.services.models.promotions;
    const promote = promotions.promote;
    let arrived = 0;
    promotions.promote = (...args) => {
      arrived++;
      return promote.apply(promotions, args);
    };
    try {
      const args = ['promote', versionId, '--to', 'STAGING', '--idempotency-key', 'cli-run-5', '--url', cairn.url];
      let runs: Awaited<ReturnType<typeof cairnCli>>[] = [];
      // Hold the model's row (as a slow first promotion would) until all three runs are in flight.
      await cairn.db.$transaction(
        async (tx) => {
          await tx.$queryRaw`SELECT m.id FROM registered_model m JOIN model_version v ON v.model_id = m.id WHERE v.id = ${versionId} FOR UPDATE OF m`;
          const started = Promise.all([1, 2, 3].map(() => cairnCli(args, { CAIRN_ACTOR: 'ci-bot' })));
          await waitFor(async () => (arrived === 3 ? true : undefined), { what: 'three promote calls' });
          await new Promise((resolve) => setTimeout(resolve, 300));
          void started.then((done) => (runs = done));
        },
        { timeout: 60_000 },
      );
      await waitFor(async () => (runs.length ? true : undefined), { what: 'the cairn runs to finish' });
      expect(runs.map((r) => [r.code, r.stderr])).toEqual([
        [0, ''],
        [0, ''],
        [0, ''],
      ]);
      expect(runs.filter((r) => r.stdout.includes('APPLIED (replayed)'))).toHaveLength(2);
      expect(await cairn.db.promotion.count({ where: { modelVersionId: versionId } })).toBe(1);
    } finally {
      promotions.promote = promote;
    }
  });
});
