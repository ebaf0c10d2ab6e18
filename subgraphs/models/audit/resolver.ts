import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import { InputError } from '../../../adapters/core/errors.ts';
import type { CairnContext } from '../../shared/context.ts';
import { verifyAuditChain } from '../../shared/audit.ts';
import { AuditChainReport, AuditEvent, AuditEventPage } from './type.ts';

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventPage, { description: 'Audit events, newest first, optionally of one subject or action.' })
  async auditEvents(
    @Arg('subjectId', () => String, { nullable: true }) subjectId: string | null,
    @Arg('action', () => String, { nullable: true }) action: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ): Promise<AuditEventPage> {
    if (first < 1 || first > 500) throw new InputError([{ path: 'first', message: 'must be between 1 and 500' }]);
    if (after != null && !/^\d+$/.test(after)) throw new InputError([{ path: 'after', message: 'not a cursor from a previous page' }]);
    const rows = await services.db.auditEvent.findMany({
      where: { ...(subjectId ? { subjectId } : {}), ...(action ? { action } : {}), ...(after ? { id: { lt: BigInt(after) } } : {}) },
      orderBy: { id: 'desc' },
      take: first + 1,
    });
    const nodes = rows.slice(0, first).map((row) => ({ ...row, id: row.id.toString() }));
    return { nodes, hasNextPage: rows.length > first, endCursor: nodes.at(-1)?.id ?? null };
  }

  @Query(() => AuditChainReport, { description: 'Recomputes the audit log\'s hash chain and names the first event that breaks it.' })
  async verifyAuditChain(@Ctx() { services }: CairnContext): Promise<AuditChainReport> {
    const report = await verifyAuditChain(services.db);
    return { ok: report.ok, checked: report.checked, firstBrokenId: report.firstBroken?.id.toString() ?? null, reason: report.firstBroken?.reason ?? null };
  }
}
