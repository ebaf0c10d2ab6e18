import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../platform/audit.ts';
import { cairnCli, startTestCairn, type TestCairn } from './testkit.ts';

let cairn: TestCairn;
beforeAll(async () => {
  cairn = await startTestCairn();
});
afterAll(async () => {
  await cairn?.close();
});

const VERIFY = '{ verifyAuditChain { ok checked firstBrokenId reason } }';

/** Changes one event's actor, runs `check`, then puts it back (so the teardown's check holds). */
async function tamperedWhile(id: bigint, check: () => Promise<void>) {
  const row = await cairn.db.auditEvent.findUniqueOrThrow({ where: { id } });
  await cairn.db.$executeRaw`UPDATE audit_event SET actor = 'mallory' WHERE id = ${id}`;
  try {
    await check();
  } finally {
    await cairn.db.$executeRaw`UPDATE audit_event SET actor = ${row.actor} WHERE id = ${id}`;
  }
}

describe('the audit chain after real mutations', () => {
  it('verifies after setEndpointDeployRule (a payload with an undefined field), and still names a tampered event after it', async () => {
    const endpointId = (await cairn.data('mutation { createEndpoint(input: { name: "audited-endpoint" }) { id } }'))
      .createEndpoint.id;
    await cairn.data(
      `mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { model } }`,
      {
        input: {
          endpointId,
          model: 'audited-model',
          strategy: 'RECREATE',
          modelServerUrl: 'http://127.0.0.1:9/models/{model}/v{version}',
        },
      },
    );
    const ruleEvent = await cairn.db.auditEvent.findFirstOrThrow({
      where: { action: 'setEndpointDeployRule', subjectId: endpointId },
    });
    expect(ruleEvent.payload).not.toHaveProperty('createdBy');
    expect((await cairn.data(VERIFY)).verifyAuditChain).toMatchObject({ ok: true, firstBrokenId: null });
    expect((await cairnCli(['verify-audit', '--url', cairn.url])).code).toBe(0);

    await cairn.data('mutation { registerModelVersion(input: { model: "audited-after-rule" }) { id } }');
    const later = await cairn.db.auditEvent.findFirstOrThrow({
      where: { action: 'registerModelVersion', subjectId: { contains: 'audited-after-rule' } },
    });
    expect(later.id).toBeGreaterThan(ruleEvent.id);
    await tamperedWhile(later.id, async () => {
      expect((await cairn.data(VERIFY)).verifyAuditChain).toMatchObject({
        ok: false,
        firstBrokenId: later.id.toString(),
      });
      expect((await cairnCli(['verify-audit', '--url', cairn.url])).code).toBe(4);
    });
    expect((await verifyAuditChain(cairn.db)).ok).toBe(true);
  });

  it('hashes what the database holds: Dates, undefined array items and key order come back as stored', async () => {
    const { recordAudit } = await import('../platform/audit.ts');
    await cairn.db.$transaction((tx) =>
      recordAudit(tx, {
        actor: 'tester',
        action: 'oddPayload',
        subjectId: 'odd',
        payload: {
          when: new Date('2026-12-03T10:00:00Z'),
          list: [1, undefined, 'x'],
          skipped: undefined,
          zeta: 1,
          Alpha: { b: 2, a: 1 },
        } as never,
      }),
    );
    const stored = await cairn.db.auditEvent.findFirstOrThrow({ where: { action: 'oddPayload' } });
    expect(stored.payload).toEqual({
      when: '2026-12-03T10:00:00.000Z',
      list: [1, null, 'x'],
      zeta: 1,
      Alpha: { a: 1, b: 2 },
    });
    expect(await verifyAuditChain(cairn.db)).toMatchObject({ ok: true, firstBroken: null });
  });
});

/** The hash formula of Cairn before RFC 8785 (kept here to write events exactly as the old code did). */
function legacyCanonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(legacyCanonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${legacyCanonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Appends an event the way Cairn's recordAudit did before RFC 8785 canonical JSON. */
async function appendAsLegacyCode(event: { actor: string; action: string; subjectId: string; payload: unknown }) {
  const at = new Date();
  const text = legacyCanonical({
    at: at.toISOString(),
    actor: event.actor,
    action: event.action,
    subjectId: event.subjectId,
    outcome: 'APPLIED',
    payload: event.payload,
    requestId: null,
  });
  await cairn.db.$executeRaw`
    WITH head AS (
      INSERT INTO audit_chain_head AS h (id, prev_hash, hash)
      VALUES (1, '', encode(sha256(convert_to(${text}, 'UTF8')), 'hex'))
      ON CONFLICT (id) DO UPDATE SET prev_hash = h.hash, hash = encode(sha256(convert_to(${text} || h.hash, 'UTF8')), 'hex')
      RETURNING prev_hash, hash
    )
    INSERT INTO audit_event (at, actor, action, subject_id, outcome, payload, request_id, prev_hash, hash)
    SELECT ${at.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${event.actor}, ${event.action}, ${event.subjectId}, 'APPLIED',
           ${JSON.stringify(event.payload)}::jsonb, NULL, head.prev_hash, head.hash
    FROM head`;
  const head = await cairn.db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  // The SQL above must still be the old formula: sha256(content || previous hash).
  expect(head.hash).toBe(
    createHash('sha256')
      .update(text + head.prevHash)
      .digest('hex'),
  );
}

describe('a chain written by the code before RFC 8785', () => {
  it('still verifies, with awkward keys, numbers and strings, and with the old setEndpointDeployRule events', async () => {
    const awkward = [
      { é: 1, e: 2, E: 3, '€': 4, '😀': 5, '\ufb33': 6, '': 7, '10': 8, '9': 9, a: { z: [], y: {} } },
      { numbers: [0, -0, 1e21, 1e-7, 0.1 + 0.2, 2 ** 53 + 2, 5e-324, -1.5e300, 123456789.125] },
      {
        text: 'line\nbreak "quoted" back\\slash \u2028 \u001f tab\t ünïcödé 😀',
        empty: '',
        nothing: null,
        yes: true,
        no: false,
      },
      { deep: [[[{ b: [1, { d: null, c: 'x' }] }]]] },
      {},
    ];
    for (const [i, payload] of awkward.entries())
      await appendAsLegacyCode({ actor: 'old-cairn', action: 'legacyEvent', subjectId: `legacy-${i}`, payload });
    // What setEndpointDeployRule wrote before the fix: hashed with createdBy as null, stored without it.
    await appendAsLegacyCode({
      actor: 'old-cairn',
      action: 'setEndpointDeployRule',
      subjectId: 'endpoint:builtin:legacy',
      payload: {
        modelName: 'm',
        modelProvider: 'builtin',
        strategy: 'RECREATE',
        modelServerUrl: 'http://127.0.0.1:9/',
        canarySteps: [],
        bakeSeconds: 300,
        maxErrorRate: null,
        maxLatencyP99Ms: null,
        minRequests: 0,
        enabled: true,
        createdBy: undefined,
      },
    });
    // New events chain on after the old ones.
    await cairn.data('mutation { registerModelVersion(input: { model: "after-legacy" }) { id } }');
    const report = await verifyAuditChain(cairn.db);
    expect(report).toMatchObject({ ok: true, firstBroken: null });

    const legacy = await cairn.db.auditEvent.findFirstOrThrow({ where: { subjectId: 'legacy-2' } });
    await tamperedWhile(legacy.id, async () => {
      expect((await verifyAuditChain(cairn.db)).firstBroken?.id).toBe(legacy.id);
    });
    // The old setEndpointDeployRule event is accepted only as it was written: any other change is reported.
    const rule = await cairn.db.auditEvent.findFirstOrThrow({ where: { subjectId: 'endpoint:builtin:legacy' } });
    await cairn.db
      .$executeRaw`UPDATE audit_event SET payload = jsonb_set(payload, '{modelName}', '"other"') WHERE id = ${rule.id}`;
    try {
      expect((await verifyAuditChain(cairn.db)).firstBroken?.id).toBe(rule.id);
    } finally {
      await cairn.db
        .$executeRaw`UPDATE audit_event SET payload = jsonb_set(payload, '{modelName}', '"m"') WHERE id = ${rule.id}`;
    }
    expect((await verifyAuditChain(cairn.db)).ok).toBe(true);
  });
});

describe('the testkit', () => {
  it('fails a test file whose Cairn closes with a broken audit chain, naming the event, unless the file says it broke it on purpose', async () => {
    for (const auditChainBroken of [false, true]) {
      const other = await startTestCairn({}, { auditChainBroken });
      const id = (await other.data('mutation { registerModelVersion(input: { model: "tampered-at-close" }) { id } }'))
        .registerModelVersion.id;
      await other.db.$executeRaw`UPDATE audit_event SET actor = 'mallory' WHERE subject_id = ${id}`;
      const event = await other.db.auditEvent.findFirstOrThrow({ where: { subjectId: id } });
      if (auditChainBroken) await expect(other.close()).resolves.toBeUndefined();
      else
        await expect(other.close()).rejects.toThrow(
          `the audit chain is broken at event ${event.id} (registerModelVersion of ${id}): its content does not match its hash`,
        );
    }
  });
});
