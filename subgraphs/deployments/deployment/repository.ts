import type { Database } from '../../../platform/database.ts';

export class DeploymentRepository {
  constructor(private readonly db: Database) {}

  byIds(ids: readonly string[]) {
    return this.db.deployment.findMany({ where: { id: { in: [...ids] } } });
  }

  byEndpointIds(endpointIds: readonly string[]) {
    return this.db.deployment.findMany({ where: { endpointId: { in: [...endpointIds] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  byModelVersionIds(versionIds: readonly string[]) {
    return this.db.deployment.findMany({ where: { modelVersionId: { in: [...versionIds] } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }
}
