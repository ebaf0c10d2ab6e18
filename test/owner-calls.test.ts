import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stage } from '../adapters/core/domain.ts';
import type { ModelRegistryProvider, VersionRef } from '../adapters/core/model-registry.ts';
import { startSageMakerCairn } from './sagemaker-cairn.ts';
import { globalId } from '../platform/ids.ts';
import { EMULATOR_CREDENTIALS, startSageMakerEmulator } from '../emulators/sagemaker/index.ts';
import { parseConfig } from '../server/config.ts';
import { startCairn } from '../server/runtime.ts';
import { graphql, scratchDatabase, startTestCairn, waitFor, type TestCairn } from './testkit.ts';

const PROMOTE = `mutation($input: PromoteModelVersionInput!) { promoteModelVersion(input: $input) { applied promotion { id status } } }`;
const REGISTER = `mutation($model: String!) { registerModelVersion(input: { model: $model, artifactUri: "s3://m" }) { id } }`;

/**
 * The built-in registry behind an owner that takes `slowMs` to accept a stage change of models
 * named `slow-*` (a cloud whose API hangs), and `raceMs` for the others (a short window in which
 * racing promotions overlap). `onRegister` runs before it answers a registration.
 */
function slowOwner(
  db: () => TestCairn['db'],
  slowMs: number,
  raceMs: number,
  onRegister: (modelName: string, version: number) => Promise<void> = async () => {},
): ModelRegistryProvider {
  const stageOf = async (version: VersionRef) =>
    ((await db().modelVersion.findUnique({ where: { id: version.id }, select: { stage: true } }))?.stage ??
      null) as Stage | null;
  return {
    providerName: 'builtin',
    registerVersion: async (modelName, version) => {
      await onRegister(modelName, version);
      return { nativeId: `${modelName}/${version}` };
    },
    transitionStage: async (version) => {
      await new Promise((resolve) => setTimeout(resolve, version.modelName.startsWith('slow-') ? slowMs : raceMs));
    },
    stageOf,
  };
}

describe('owner calls outside database transactions', () => {
  let cairn: TestCairn;
  let onRegister: ((modelName: string, version: number) => Promise<void>) | undefined;
  beforeAll(async () => {
    // The gateway waits longer than the owner hangs (its default, 5 s, would answer the slow
    // promotion UPSTREAM_UNAVAILABLE while it goes on).
    cairn = await startTestCairn(
      { CAIRN_SUBGRAPH_TIMEOUT_MS: '30000' },
      {
        registries: [
          slowOwner(
            () => cairn.db,
            10_000,
            150,
            async (model, version) => onRegister?.(model, version),
          ),
        ],
      },
    );
  });
  afterAll(() => cairn?.close());

  it("a promotion whose owner hangs for 10 s delays neither reads nor another model's promotion", async () => {
    const slow = (await cairn.data(REGISTER, { model: 'slow-model' })).registerModelVersion.id;
    const quick = (await cairn.data(REGISTER, { model: 'quick-model' })).registerModelVersion.id;
    const started = Date.now();
    const hanging = cairn.query(PROMOTE, { input: { modelVersionId: slow, to: 'STAGING' } });
    // The slow promotion is reserved (PENDING) and its owner call under way.
    await waitFor(
      async () =>
        (await cairn.db.promotion.count({ where: { modelVersionId: slow, status: 'PENDING' } })) ? true : undefined,
      { what: 'the slow promotion to be reserved' },
    );

    const readAt = Date.now();
    const read = await cairn.data(`query($id: ID!) { modelVersion(id: $id) { stage } }`, { id: quick });
    expect(read.modelVersion.stage).toBe('NONE');
    const readMs = Date.now() - readAt;

    const otherAt = Date.now();
    const other = await cairn.data(PROMOTE, { input: { modelVersionId: quick, to: 'STAGING' } });
    const otherMs = Date.now() - otherAt;
    expect(other.promoteModelVersion).toMatchObject({ applied: true, promotion: { status: 'APPLIED' } });
    // Both answered while the owner still hangs: nothing waited on its row lock or the connection.
    expect(Date.now() - started).toBeLessThan(9_000);
    expect(readMs).toBeLessThan(3_000);
    expect(otherMs).toBeLessThan(5_000);

    const done = await hanging;
    expect(done.errors).toBeUndefined();
    expect(done.data.promoteModelVersion).toMatchObject({ applied: true, promotion: { status: 'APPLIED' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(10_000);
    expect((await cairn.db.modelVersion.findUnique({ where: { id: slow } }))!.stage).toBe('STAGING');
  }, 60_000);

  it('a registration holds no lock while its owner works, and asks again for a number another process took meanwhile', async () => {
    const model = 'registered-slowly';
    await cairn.data(REGISTER, { model });
    const modelId = globalId('model', 'builtin', model);
    const asked: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    onRegister = async (name, version) => {
      if (name !== model) return;
      asked.push(version);
      if (asked.length === 1) await released;
    };
    try {
      const pending = cairn.query(REGISTER, { model });
      await waitFor(async () => (asked.length ? true : undefined), { what: 'the owner to be asked for version 2' });
      // Another process takes version 2 while the owner works: the model's row is not locked.
      await cairn.db.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT 1 FROM registered_model WHERE id = ${modelId} FOR UPDATE NOWAIT`;
        await tx.modelVersion.create({
          data: {
            id: globalId('modelVersion', 'builtin', `${model}/2`),
            modelId,
            version: 2,
            nativeId: `${model}/2`,
            createdBy: 'another-process',
          },
        });
      });
      release();
      const answer = await pending;
      expect(answer.errors).toBeUndefined();
      expect(asked).toEqual([2, 3]);
      const id = answer.data.registerModelVersion.id;
      expect(await cairn.db.modelVersion.findUnique({ where: { id } })).toMatchObject({
        version: 3,
        nativeId: `${model}/3`,
      });
      expect(await cairn.db.auditEvent.count({ where: { action: 'registerModelVersion', subjectId: id } })).toBe(1);
    } finally {
      onRegister = undefined;
    }
  });

  it('racing promotions of one model to PRODUCTION leave exactly one holder, each applied one after another', async () => {
    const versions: string[] = [];
    for (let i = 0; i < 4; i++)
      versions.push((await cairn.data(REGISTER, { model: 'raced-model' })).registerModelVersion.id);
    const answers = await Promise.all(
      versions.map((id) => cairn.query(PROMOTE, { input: { modelVersionId: id, to: 'PRODUCTION' } })),
    );
    expect(answers.flatMap((a) => a.errors ?? [])).toEqual([]);
    expect(answers.every((a) => a.data.promoteModelVersion.applied)).toBe(true);
    const stages = await cairn.db.modelVersion.findMany({ where: { id: { in: versions } }, select: { stage: true } });
    expect(stages.filter((s) => s.stage === 'PRODUCTION')).toHaveLength(1);
    expect(stages.filter((s) => s.stage === 'ARCHIVED')).toHaveLength(3);
    expect(await cairn.db.promotion.count({ where: { modelVersionId: { in: versions }, status: 'PENDING' } })).toBe(0);
  }, 60_000);
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a process killed between the owner call and the commit', () => {
  it('leaves a PENDING promotion that the restarted Cairn settles as the owner has it', async () => {
    const emulator = await startSageMakerEmulator();
    const database = await scratchDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'cairn-owner-'));
    const file = join(dir, 'cairn.config.yaml');
    await writeFile(
      file,
      `providers:
  - name: sm-crash
    kind: SAGEMAKER
    region: ${emulator.state.region}
    accountId: "${emulator.state.accountId}"
    endpoint: ${emulator.url}
    credentials: default-chain
    syncIntervalSeconds: 3600
    maxAttempts: 1
`,
    );
    const port = await freePort();
    const env: Record<string, string> = {
      PORT: String(port),
      CAIRN_DEMO: 'off',
      LOG_LEVEL: 'warn',
      CAIRN_CONFIG: file,
      CAIRN_DATA_DIR: database.dataDir,
      CAIRN_OWNER_TIMEOUT_MS: '500',
      CAIRN_REDIS_PREFIX: 'cairn-test:owner-crash',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    };
    const child = spawn(process.execPath, ['cli/cairn.mjs', 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const url = `http://127.0.0.1:${port}/graphql`;
    let restarted: Awaited<ReturnType<typeof startCairn>> | null = null;
    try {
      // The child synced the emulator's estate at start.
      const version = await waitFor(
        async () => {
          const answer = await graphql(
            url,
            `
              {
                model(name: "fraud-scorer") {
                  versions {
                    id
                    version
                    stage
                  }
                }
              }
            `,
          ).catch(() => null);
          return (answer?.data?.model?.versions as { id: string; stage: string }[] | undefined)?.find(
            (v) => v.stage !== 'PRODUCTION',
          );
        },
        { what: 'the child to sync fraud-scorer', timeoutMs: 120_000, intervalMs: 250 },
      );
      const arn = version.id.slice('modelVersion:sm-crash:'.length);

      // SageMaker applies the change; its answer never reaches the child, killed meanwhile.
      const hold = emulator.hold('UpdateModelPackage', { after: true });
      const promotion = graphql(url, PROMOTE, { input: { modelVersionId: version.id, to: 'PRODUCTION' } }).catch(
        () => null,
      );
      await hold.reached;
      child.kill('SIGKILL');
      await exited;
      hold.release();
      await promotion;
      expect(emulator.state.packages.get(arn)).toMatchObject({ ModelApprovalStatus: 'Approved' });

      restarted = await startCairn(parseConfig(env), {
        providerDeps: { sagemaker: { credentials: EMULATOR_CREDENTIALS, backoffMs: () => 1 } },
      });
      const db = restarted.db;
      const settled = await waitFor(
        async () => {
          const row = await db.promotion.findFirst({ where: { modelVersionId: version.id } });
          return row && row.status !== 'PENDING' ? row : undefined;
        },
        { what: 'the pending promotion to be reconciled', timeoutMs: 30_000, intervalMs: 100 },
      );
      // The owner took it: the catalog agrees, with its audit event.
      expect(settled.status).toBe('APPLIED');
      expect((await db.modelVersion.findUnique({ where: { id: version.id } }))!.stage).toBe('PRODUCTION');
      const audit = await db.auditEvent.findFirst({
        where: { action: 'promoteModelVersion', subjectId: version.id },
        orderBy: { id: 'desc' },
      });
      expect(audit).toMatchObject({ outcome: 'APPLIED', payload: expect.objectContaining({ reconciled: true }) });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await restarted?.close();
      await emulator.close();
      await database.drop();
    }
  }, 240_000);
});

describe('the next sync of the owner', () => {
  it('settles a promotion left PENDING past its deadline: APPLIED when the owner holds the stage, FAILED when not', async () => {
    const sm = await startSageMakerCairn({ provider: 'sm-sync' });
    try {
      const { db } = sm.cairn;
      const versions = await db.modelVersion.findMany({
        where: { model: { providerName: 'sm-sync' } },
        include: { model: true },
        orderBy: { id: 'asc' },
        take: 2,
      });
      const [taken, refused] = versions as [(typeof versions)[0], (typeof versions)[0]];
      // What a process that died after reserving left: one change SageMaker took, one it never got.
      sm.emulator.state.packages.get(taken.nativeId)!.ModelApprovalStatus = 'Rejected';
      const intent = (v: typeof taken) => ({
        allowed: true,
        applied: true,
        status: 'APPLIED',
        evaluations: [],
        previousHolderId: null,
        intent: {
          modelName: v.model.name,
          providerName: 'sm-sync',
          candidate: { id: v.id, nativeId: v.nativeId, version: v.version },
          holders: [],
          deadline: new Date(Date.now() - 1000).toISOString(),
        },
      });
      for (const v of [taken, refused]) {
        await db.promotion.create({
          data: {
            modelVersionId: v.id,
            fromStage: v.stage,
            toStage: 'ARCHIVED',
            status: 'PENDING',
            actor: 'crashed',
            requestHash: 'x',
            result: intent(v),
          },
        });
      }
      expect(await sm.sync()).toMatchObject({ status: 'SUCCEEDED' });
      const rows = await db.promotion.findMany({
        where: { actor: 'crashed' },
        select: { modelVersionId: true, status: true },
      });
      expect(rows.find((r) => r.modelVersionId === taken.id)!.status).toBe('APPLIED');
      expect(rows.find((r) => r.modelVersionId === refused.id)!.status).toBe('FAILED');
      expect((await db.modelVersion.findUnique({ where: { id: taken.id } }))!.stage).toBe('ARCHIVED');
      expect(
        await db.auditEvent.count({
          where: { action: 'promoteModelVersion', subjectId: { in: [taken.id, refused.id] } },
        }),
      ).toBe(2);
    } finally {
      await sm.close();
    }
  }, 120_000);
});

describe('a mutation waiting on its owner past the subgraph timeout', () => {
  let cairn: TestCairn;
  beforeAll(async () => {
    // Queries are bounded at 2 s; a mutation's fetch waits as long as its owner may (CAIRN_OWNER_TIMEOUT_MS, 30 s).
    cairn = await startTestCairn(
      { CAIRN_SUBGRAPH_TIMEOUT_MS: '2000' },
      { registries: [slowOwner(() => cairn.db, 3_000, 0)] },
    );
  });
  afterAll(() => cairn?.close());

  it('answers the promotion the owner took 3 s to accept, not UPSTREAM_UNAVAILABLE at 2 s', async () => {
    const id = (await cairn.data(REGISTER, { model: 'slow-past-timeout' })).registerModelVersion.id;
    const started = Date.now();
    const answer = await cairn.query(PROMOTE, { input: { modelVersionId: id, to: 'STAGING' } });
    expect(answer.errors).toBeUndefined();
    expect(answer.data.promoteModelVersion).toMatchObject({ applied: true, promotion: { status: 'APPLIED' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3_000);
  }, 30_000);
});
