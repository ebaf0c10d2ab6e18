import type { Database, Transaction } from '../../../platform/database.ts';
import { endLineageEdges } from '../../lineage/edge/writer.ts';
import { Prisma } from '../../../prisma/generated/client.ts';
import type { TimeKey } from '../../shared/connection.ts';
import { insertOrUpdate } from '../../shared/synced-rows.ts';

/** A deployment as its endpoint's owner reports it (a SageMaker variant), in the catalog's terms. */
export interface ObservedDeployment {
  id: string;
  endpointId: string;
  nativeId: string;
  modelVersionId: string;
  strategy: string;
  trafficPercent: number;
  shadowPercent: number;
}

export class DeploymentRepository {
  constructor(private readonly db: Database) {}

  byIds(ids: readonly string[]) {
    return this.db.deployment.findMany({ where: { id: { in: [...ids] } } });
  }

  /** The endpoints' deployments holding a live or shadow share (what their splits are made of). */
  sharingByEndpointIds(endpointIds: readonly string[]) {
    return this.db.deployment.findMany({
      where: {
        endpointId: { in: [...endpointIds] },
        OR: [{ trafficPercent: { gt: 0 } }, { shadowPercent: { gt: 0 } }],
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /**
   * A page of each endpoint's deployments (of one status, or all), oldest first: up to `take` after
   * `after` for every endpoint, in one statement (numbered per endpoint) and one read of the rows.
   */
  async pageOfEndpoints(endpointIds: readonly string[], take: number, after: TimeKey | null, status: string | null) {
    const past = after
      ? Prisma.sql`AND (created_at, id) > (${after.at.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${after.id})`
      : Prisma.empty;
    const ofStatus = status ? Prisma.sql`AND status = ${status}` : Prisma.empty;
    const page = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY created_at, id) AS n
        FROM deployment WHERE endpoint_id = ANY(${[...endpointIds]}::text[]) ${ofStatus} ${past}
      ) numbered WHERE n <= ${take}`;
    return this.db.deployment.findMany({
      where: { id: { in: page.map((row) => row.id) } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** How many deployments (of one status, or all) each endpoint has had. */
  async countByEndpointIds(endpointIds: readonly string[], status: string | null): Promise<Map<string, number>> {
    const counts = await this.db.deployment.groupBy({
      by: ['endpointId'],
      where: { endpointId: { in: [...endpointIds] }, ...(status ? { status } : {}) },
      _count: { _all: true },
    });
    return new Map(counts.map((row) => [row.endpointId, row._count._all]));
  }

  byModelVersionIds(versionIds: readonly string[]) {
    return this.db.deployment.findMany({
      where: { modelVersionId: { in: [...versionIds] } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /**
   * Retires deployments for good: RETIRED at `at`, with no live or shadow share, and their
   * DEPLOYED_AS and SERVED_BY edges ended (kept as history). Deployments already retired keep
   * their first retirement. Whoever retires one (a request, a RECREATE deploy, a sync that no
   * longer finds it at the owner) retires it this way.
   */
  async retire(tx: Transaction, ids: readonly string[], at: Date) {
    if (!ids.length) return;
    await tx.deployment.updateMany({
      where: { id: { in: [...ids] }, status: { not: 'RETIRED' } },
      data: { status: 'RETIRED', retiredAt: at, trafficPercent: 0, shadowPercent: 0 },
    });
    await endLineageEdges(tx, [...ids], ['DEPLOYED_AS', 'SERVED_BY'], at);
  }

  /** What a sync compares an endpoint's deployments with: their status and shares, in the caller's transaction. */
  sharesOf(tx: Transaction, endpointIds: readonly string[]) {
    return tx.deployment.findMany({
      where: { endpointId: { in: [...endpointIds] } },
      select: { id: true, endpointId: true, status: true, trafficPercent: true, shadowPercent: true },
    });
  }

  /** The model versions among `ids` the catalog has (a deployment must serve one of them). */
  async knownModelVersionIds(tx: Transaction, ids: readonly string[]): Promise<Set<string>> {
    const rows = await tx.modelVersion.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Records deployments as their owner now reports them: ACTIVE with the owner's shares, made by
   * `sync:<provider>` when new. A deployment retired before and back at the owner is active again.
   */
  async upsertObserved(tx: Transaction, provider: string, deployments: readonly ObservedDeployment[], now: Date) {
    const fields = (d: ObservedDeployment) => ({
      modelVersionId: d.modelVersionId,
      strategy: d.strategy,
      status: 'ACTIVE',
      trafficPercent: d.trafficPercent,
      shadowPercent: d.shadowPercent,
      retiredAt: null,
      lastSeenAt: now,
    });
    await insertOrUpdate(
      deployments,
      (d) => d.id,
      (ids) => tx.deployment.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      (fresh) =>
        tx.deployment.createMany({
          data: fresh.map((d) => ({
            id: d.id,
            endpointId: d.endpointId,
            nativeId: d.nativeId,
            createdBy: `sync:${provider}`,
            ...fields(d),
          })),
        }),
      (d) => tx.deployment.update({ where: { id: d.id }, data: fields(d) }),
    );
  }
}
