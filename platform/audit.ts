import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Database, Transaction } from './database.ts';
import type { Prisma } from '../prisma/generated/client.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectId: string;
  outcome?: 'APPLIED' | 'DENIED' | 'FAILED';
  payload?: Prisma.InputJsonValue;
  requestId?: string | null;
}

interface Hashed {
  at: Date;
  actor: string;
  action: string;
  subjectId: string;
  outcome: string;
  payload: unknown;
  requestId: string | null;
}

/**
 * What an event's hash covers, besides its predecessor's hash (appended to it): RFC 8785 canonical
 * JSON of the event as the database holds it. For every value the database can hold this is the
 * same text the hand-written canonical form of earlier versions produced, so their chains verify.
 */
function content(event: Hashed): string {
  return canonicalize({
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    subjectId: event.subjectId,
    outcome: event.outcome,
    payload: event.payload,
    requestId: event.requestId,
  })!;
}

/** sha256(content || previous hash), hex: the same formula the append statement computes in SQL. */
export function auditHash(event: Hashed, prevHash: string): string {
  return createHash('sha256')
    .update(content(event) + prevHash, 'utf8')
    .digest('hex');
}

/**
 * Before canonical JSON was taken from RFC 8785, setEndpointDeployRule's payload held
 * `createdBy: undefined`: hashed as null, stored without the key. Such an event verifies only as
 * it was written (the key put back as null); any other change to it still breaks the chain.
 */
function legacyHashMatches(row: Hashed & { hash: string; prevHash: string }): boolean {
  const payload = row.payload;
  if (
    row.action !== 'setEndpointDeployRule' ||
    !payload ||
    typeof payload !== 'object' ||
    Array.isArray(payload) ||
    'createdBy' in payload
  )
    return false;
  return auditHash({ ...row, payload: { ...payload, createdBy: null } }, row.prevHash) === row.hash;
}

/**
 * Appends an audit event inside the caller's transaction: the change and its record commit
 * together. One statement moves the chain head (a single row, so appends are serialized until
 * commit) and inserts the event with its predecessor's hash and its own.
 */
export async function recordAudit(tx: Transaction, entry: AuditEntry): Promise<void> {
  // The payload as the database will hold it (undefined fields dropped, Dates as strings, ...):
  // the hash covers exactly that, so reading it back recomputes the same hash.
  const stored = JSON.stringify(entry.payload ?? {});
  const event: Hashed = {
    at: new Date(),
    actor: entry.actor,
    action: entry.action,
    subjectId: entry.subjectId,
    outcome: entry.outcome ?? 'APPLIED',
    payload: JSON.parse(stored),
    requestId: entry.requestId ?? null,
  };
  const text = content(event);
  await tx.$executeRaw`
    WITH head AS (
      INSERT INTO audit_chain_head AS h (id, prev_hash, hash)
      VALUES (1, '', encode(sha256(convert_to(${text}, 'UTF8')), 'hex'))
      ON CONFLICT (id) DO UPDATE SET prev_hash = h.hash, hash = encode(sha256(convert_to(${text} || h.hash, 'UTF8')), 'hex')
      RETURNING prev_hash, hash
    )
    INSERT INTO audit_event (at, actor, action, subject_id, outcome, payload, request_id, prev_hash, hash)
    SELECT ${event.at.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${event.actor}, ${event.action}, ${event.subjectId}, ${event.outcome},
           ${stored}::jsonb, ${event.requestId}, head.prev_hash, head.hash
    FROM head`;
}

export interface ChainReport {
  ok: boolean;
  checked: number;
  /** The first event whose hash or link does not match, when the chain is broken. */
  firstBroken: { id: bigint; reason: string } | null;
}

/** Walks the whole log in id order, recomputing every hash and link. */
export async function verifyAuditChain(db: Database, batchSize = 5000): Promise<ChainReport> {
  let prevHash = '';
  let checked = 0;
  let after: bigint | undefined;
  for (;;) {
    const rows = await db.auditEvent.findMany({
      where: after === undefined ? {} : { id: { gt: after } },
      orderBy: { id: 'asc' },
      take: batchSize,
    });
    for (const row of rows) {
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          firstBroken: {
            id: row.id,
            reason: 'its link does not match the previous event (an event before it was changed or deleted)',
          },
        };
      }
      if (auditHash(row, row.prevHash) !== row.hash && !legacyHashMatches(row)) {
        return {
          ok: false,
          checked,
          firstBroken: { id: row.id, reason: 'its content does not match its hash (the event was changed)' },
        };
      }
      prevHash = row.hash;
      checked++;
    }
    if (rows.length < batchSize) return { ok: true, checked, firstBroken: null };
    after = rows[rows.length - 1]!.id;
  }
}
