import type { Database, Transaction } from '../../../platform/database.ts';
import { insertOrUpdate, removedAt, seenAt } from '../../shared/synced-rows.ts';

/** Where an endpoint sits in the list of endpoints (names are unique per provider). */
export interface EndpointKey {
  provider: string;
  name: string;
}

/** An endpoint as its owner reports it, in the catalog's terms. */
export interface ObservedEndpoint {
  id: string;
  nativeId: string;
  name: string;
  status: string;
}

export class EndpointRepository {
  constructor(private readonly db: Database) {}

  byIds(ids: readonly string[]) {
    return this.db.endpoint.findMany({ where: { id: { in: [...ids] } } });
  }

  /** Up to `take` endpoints after `after`, by provider then name, and how many the whole list holds. */
  async page(providerName: string | null, take: number, after: EndpointKey | null) {
    const scope = providerName ? { providerName } : {};
    const past = after
      ? {
          OR: [{ providerName: { gt: after.provider } }, { providerName: after.provider, name: { gt: after.name } }],
        }
      : {};
    const [rows, total] = await Promise.all([
      this.db.endpoint.findMany({
        where: { ...scope, ...past },
        orderBy: [{ providerName: 'asc' }, { name: 'asc' }],
        take,
      }),
      this.db.endpoint.count({ where: scope }),
    ]);
    return { rows, total };
  }

  /** Records endpoints as their owner now reports them (seen now; back if they had been removed). */
  async upsertObserved(tx: Transaction, provider: string, endpoints: readonly ObservedEndpoint[], now: Date) {
    const fields = (e: ObservedEndpoint) => ({ status: e.status, ...seenAt(now) });
    await insertOrUpdate(
      endpoints,
      (e) => e.id,
      (ids) => tx.endpoint.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      (fresh) =>
        tx.endpoint.createMany({
          data: fresh.map((e) => ({
            id: e.id,
            providerName: provider,
            name: e.name,
            nativeId: e.nativeId,
            ...fields(e),
          })),
        }),
      (e) => tx.endpoint.update({ where: { id: e.id }, data: fields(e) }),
    );
  }

  /** Endpoints gone from their owner: DELETED, with the time (the row and its history stay). */
  async markRemoved(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.endpoint.updateMany({ where: { id: { in: [...ids] } }, data: { ...removedAt(now), status: 'DELETED' } });
  }

  /** Endpoints a sync saw unchanged. */
  async touchSeen(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.endpoint.updateMany({ where: { id: { in: [...ids] } }, data: { lastSeenAt: now } });
  }

  /** Moves each endpoint's stable deployment (where a rollback returns), in one statement for all of them. */
  async setStableDeployments(tx: Transaction, stable: readonly { endpointId: string; deploymentId: string }[]) {
    if (!stable.length) return;
    await tx.$executeRaw`
      UPDATE endpoint e SET stable_deployment_id = s.deployment_id
      FROM unnest(${stable.map((s) => s.endpointId)}::text[], ${stable.map((s) => s.deploymentId)}::text[]) AS s(endpoint_id, deployment_id)
      WHERE e.id = s.endpoint_id AND e.stable_deployment_id IS DISTINCT FROM s.deployment_id`;
  }
}
