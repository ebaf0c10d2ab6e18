import type { Database } from '../../adapters/builtin/database.ts';

export class DeploymentRepository {
  constructor(private readonly db: Database) {}

  endpointsByIds(ids: readonly string[]) {
    return this.db.endpoint.findMany({ where: { id: { in: [...ids] } } });
  }

  endpoints(providerName?: string | null) {
    return this.db.endpoint.findMany({ where: providerName ? { providerName } : {}, orderBy: [{ providerName: 'asc' }, { name: 'asc' }] });
  }

  deploymentsByIds(ids: readonly string[]) {
    return this.db.deployment.findMany({ where: { id: { in: [...ids] } } });
  }

  deploymentsByEndpointIds(endpointIds: readonly string[]) {
    return this.db.deployment.findMany({ where: { endpointId: { in: [...endpointIds] } }, orderBy: { createdAt: 'asc' } });
  }

  deploymentsByModelVersionIds(versionIds: readonly string[]) {
    return this.db.deployment.findMany({ where: { modelVersionId: { in: [...versionIds] } }, orderBy: { createdAt: 'asc' } });
  }
}
