import type { Database, Transaction } from '../../../platform/database.ts';

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

  ofEndpoint(endpointId: string, first: number) {
    return this.db.rollout.findMany({
      where: { endpointId },
      orderBy: [{ startedAt: 'desc' }, { id: 'desc' }],
      take: first,
    });
  }
}
