import type { Database } from '../../../platform/database.ts';
import { InputError } from '../../../platform/errors.ts';
import { verifyAuditChain } from '../../../platform/audit.ts';

export class AuditService {
  constructor(private readonly db: Database) {}

  /** Newest first; `after` is the last ID of the previous page. */
  async list(
    filter: { subjectId?: string | null; action?: string | null },
    first: number,
    after: string | null | undefined,
  ) {
    if (!Number.isInteger(first) || first < 1 || first > 500)
      throw new InputError([{ path: 'first', message: 'must be between 1 and 500' }]);
    if (after != null && !/^\d+$/.test(after))
      throw new InputError([{ path: 'after', message: 'not a cursor from a previous page' }]);
    const rows = await this.db.auditEvent.findMany({
      where: {
        ...(filter.subjectId ? { subjectId: filter.subjectId } : {}),
        ...(filter.action ? { action: filter.action } : {}),
        ...(after ? { id: { lt: BigInt(after) } } : {}),
      },
      orderBy: { id: 'desc' },
      take: first + 1,
    });
    const nodes = rows.slice(0, first).map((row) => ({ ...row, id: row.id.toString() }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.id ?? null };
  }

  async verify() {
    const report = await verifyAuditChain(this.db);
    return {
      ok: report.ok,
      checked: report.checked,
      firstBrokenId: report.firstBroken?.id.toString() ?? null,
      reason: report.firstBroken?.reason ?? null,
    };
  }
}
