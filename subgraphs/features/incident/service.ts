import { z } from 'zod';
import type { Database } from '../../../platform/database.ts';
import { InputError, NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { parseInput } from '../../../platform/validate.ts';
import { IncidentSeverity } from './type.ts';

const reportSchema = z.object({
  featureId: z.string().min(1),
  severity: z.enum(IncidentSeverity),
  description: z.string().trim().min(1, 'must not be empty').max(5000),
});

export class FeatureIncidentService {
  constructor(private readonly db: Database) {}

  /** Opens an incident on an existing feature, with its audit event, in one transaction. */
  async report(input: unknown, actor: string) {
    const parsed = parseInput(reportSchema, input, {
      crossChecks: (raw) => {
        try {
          if (typeof raw?.featureId === 'string') parseGlobalId(raw.featureId, 'featureId', 'feature');
          return [];
        } catch (error) {
          return (error as InputError).problems.map((p) => ({ path: [p.path], message: p.message }));
        }
      },
    });
    return this.db.$transaction(async (tx) => {
      const feature = await tx.feature.findUnique({ where: { id: parsed.featureId }, select: { id: true } });
      if (!feature)
        throw new InputError([{ path: 'input.featureId', message: `no feature ${JSON.stringify(parsed.featureId)}` }]);
      const incident = await tx.featureIncident.create({
        data: {
          featureId: parsed.featureId,
          severity: parsed.severity,
          description: parsed.description,
          reportedBy: actor,
        },
      });
      await recordAudit(tx, {
        actor,
        action: 'reportFeatureIncident',
        subjectId: parsed.featureId,
        payload: { incidentId: incident.id, severity: parsed.severity },
      });
      return incident;
    });
  }

  /** Resolves an open incident (idempotent: a resolved one is answered as it is). */
  async resolve(id: string, actor: string) {
    if (!z.uuid().safeParse(id).success) throw new InputError([{ path: 'id', message: 'not a feature incident ID' }]);
    return this.db.$transaction(async (tx) => {
      const incident = await tx.featureIncident.findUnique({ where: { id } });
      if (!incident) throw new NotFoundError('FeatureIncident', id);
      if (incident.status === 'RESOLVED') return incident;
      const resolved = await tx.featureIncident.update({
        where: { id },
        data: { status: 'RESOLVED', resolvedAt: new Date() },
      });
      await recordAudit(tx, {
        actor,
        action: 'resolveFeatureIncident',
        subjectId: incident.featureId,
        payload: { incidentId: id },
      });
      return resolved;
    });
  }
}
