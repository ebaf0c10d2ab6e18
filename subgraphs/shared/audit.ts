import type { Transaction } from '../../adapters/builtin/database.ts';
import type { Prisma } from '../../prisma/generated/client.ts';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectId: string;
  outcome?: 'APPLIED' | 'DENIED' | 'FAILED';
  payload?: Prisma.InputJsonValue;
}

/** Appends an audit event inside the caller's transaction: the change and its record commit together. */
export async function recordAudit(tx: Transaction, entry: AuditEntry): Promise<void> {
  await tx.auditEvent.create({
    data: { actor: entry.actor, action: entry.action, subjectId: entry.subjectId, outcome: entry.outcome ?? 'APPLIED', payload: entry.payload ?? {} },
  });
}
