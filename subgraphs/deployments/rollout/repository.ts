import type { Database, Transaction } from '../../../platform/database.ts';
import { Prisma } from '../../../prisma/generated/client.ts';
import type { TimeKey } from '../../shared/connection.ts';

/** Rollout status: IN_PROGRESS until it SUCCEEDED, was ROLLED_BACK (by hand or by its analysis) or CANCELLED. */
export type RolloutStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'ROLLED_BACK' | 'CANCELLED';

export class RolloutRepository {
  constructor(private readonly db: Database) {}

  /** The endpoint's rollout in progress (at most one). */
  active(tx: Transaction, endpointId: string) {
    return tx.rollout.findFirst({ where: { endpointId, status: 'IN_PROGRESS' }, orderBy: { startedAt: 'desc' } });
  }

  finish(tx: Transaction, id: string, status: Exclude<RolloutStatus, 'IN_PROGRESS'>, reason: string, at: Date) {
    return tx.rollout.update({ where: { id }, data: { status, reason, finishedAt: at, nextCheckAt: null } });
  }

  byIds(ids: readonly string[]) {
    return this.db.rollout.findMany({ where: { id: { in: [...ids] } } });
  }

  activeByEndpointIds(endpointIds: readonly string[]) {
    return this.db.rollout.findMany({ where: { endpointId: { in: [...endpointIds] }, status: 'IN_PROGRESS' } });
  }

  /** A page of each endpoint's rollouts, newest first: up to `take` after `after` for every endpoint, in one statement. */
  async pageOfEndpoints(endpointIds: readonly string[], take: number, after: TimeKey | null) {
    const past = after
      ? Prisma.sql`AND (started_at, id) < (${after.at.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${after.id})`
      : Prisma.empty;
    const page = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY started_at DESC, id DESC) AS n
        FROM rollout WHERE endpoint_id = ANY(${[...endpointIds]}::text[]) ${past}
      ) numbered WHERE n <= ${take}`;
    return this.db.rollout.findMany({
      where: { id: { in: page.map((row) => row.id) } },
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
    });
  }

  async countByEndpointIds(endpointIds: readonly string[]): Promise<Map<string, number>> {
    const counts = await this.db.rollout.groupBy({
      by: ['endpointId'],
      where: { endpointId: { in: [...endpointIds] } },
      _count: { _all: true },
    });
    return new Map(counts.map((row) => [row.endpointId, row._count._all]));
  }
}
