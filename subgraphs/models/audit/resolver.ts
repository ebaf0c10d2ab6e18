import { Arg, Ctx, Int, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { AuditChainReport, AuditEvent, AuditEventPage } from './type.ts';

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventPage, { description: 'Audit events, newest first, optionally of one subject or action.' })
  auditEvents(
    @Arg('subjectId', () => String, { nullable: true }) subjectId: string | null,
    @Arg('action', () => String, { nullable: true }) action: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ): Promise<AuditEventPage> {
    return services.models.audit.list({ subjectId, action }, first, after);
  }

  @Query(() => AuditChainReport, {
    description: "Recomputes the audit log's hash chain and names the first event that breaks it.",
  })
  verifyAuditChain(@Ctx() { services }: CairnContext): Promise<AuditChainReport> {
    return services.models.audit.verify();
  }
}
