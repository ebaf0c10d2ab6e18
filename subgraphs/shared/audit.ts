import { createHash } from 'node:crypto';
import type { Database, Transaction } from '../../adapters/builtin/database.ts';
import type { Prisma } from '../../prisma/generated/client.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectId: string;
  outcome?: 'APPLIED' | 'DENIED' | 'FAILED';
  payload?: Prisma.InputJsonValue;
  requestId?: string | null;
}

/** Serializes appends to the chain; any constant unique to the audit log would do. */
const AUDIT_CHAIN_LOCK = 0x63616972; // 'cair'

interface Hashed {
  at: Date;
  actor: string;
  action: string;
  subjectId: string;
  outcome: string;
  payload: unknown;
  requestId: string | null;
  prevHash: string;
}

/** JSON with object keys sorted, so a payload hashes the same however it was built or stored. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function auditHash(event: Hashed): string {
  return createHash('sha256')
    .update(
      canonical({
        at: event.at.toISOString(),
        actor: event.actor,
        action: event.action,
        subjectId: event.subjectId,
        outcome: event.outcome,
        payload: event.payload,
        requestId: event.requestId,
        prevHash: event.prevHash,
      }),
    )
    .digest('hex');
}

/**
 * Appends an audit event inside the caller's transaction: the change and its record commit
 * together. Appends are serialized (transaction-scoped advisory lock) so each event's hash can
 * cover the one before it.
 */
export async function recordAudit(tx: Transaction, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.auditEvent.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
  const event: Hashed = {
    at: new Date(),
    actor: entry.actor,
    action: entry.action,
    subjectId: entry.subjectId,
    outcome: entry.outcome ?? 'APPLIED',
    payload: entry.payload ?? {},
    requestId: entry.requestId ?? null,
    prevHash: last?.hash ?? '',
  };
  await tx.auditEvent.create({ data: { ...event, payload: event.payload as Prisma.InputJsonValue, hash: auditHash(event) } });
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
        return { ok: false, checked, firstBroken: { id: row.id, reason: 'its link does not match the previous event (an event before it was changed or deleted)' } };
      }
      if (auditHash(row) !== row.hash) {
        return { ok: false, checked, firstBroken: { id: row.id, reason: 'its content does not match its hash (the event was changed)' } };
      }
      prevHash = row.hash;
      checked++;
    }
    if (rows.length < batchSize) return { ok: true, checked, firstBroken: null };
    after = rows[rows.length - 1]!.id;
  }
}
