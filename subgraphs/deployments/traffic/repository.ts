import type { Database, Transaction } from '../../../platform/database.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { Prisma } from '../../../prisma/generated/client.ts';
import type { Split } from './split.ts';

/** Why the split changed, as recorded in the endpoint's traffic history. */
export type TrafficReason =
  'DEPLOY' | 'SET_SPLIT' | 'ROLLOUT_STEP' | 'ROLLBACK' | 'AUTO_ROLLBACK' | 'PROMOTION_RULE' | 'RETIRE';

/** PENDING: reserved and asked of the owner, not yet in force in the catalog. */
export type TrafficChangeStatus = 'PENDING' | 'APPLIED' | 'FAILED';

export interface TrafficChangeEntry {
  endpointId: string;
  split: Split;
  reason: TrafficReason;
  actor: string;
  rolloutId?: string | null;
  at: Date;
}

export class TrafficRepository {
  constructor(private readonly db: Database) {}

  /**
   * Locks the endpoint's row for the rest of the transaction, then reads it: every change of one
   * endpoint's split goes one at a time, and each reads the committed state of the one before.
   */
  async lockEndpoint(tx: Transaction, endpointId: string) {
    const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM endpoint WHERE id = ${endpointId} FOR UPDATE`;
    if (locked.length === 0) throw new NotFoundError('Endpoint', endpointId);
    return tx.endpoint.findUniqueOrThrow({ where: { id: endpointId } });
  }

  deploymentsOf(tx: Transaction, endpointId: string) {
    return tx.deployment.findMany({ where: { endpointId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  }

  /** The catalog's record of the split in force: every deployment of the endpoint gets its share or 0. */
  async recordSplit(tx: Transaction, endpointId: string, split: Split) {
    const live = Object.fromEntries(split.live.map((share) => [share.deploymentId, share.percent]));
    const shadow = Object.fromEntries(split.shadow.map((share) => [share.deploymentId, share.percent]));
    await tx.$executeRaw`
      UPDATE deployment d
      SET traffic_percent = COALESCE((${JSON.stringify(live)}::jsonb ->> d.id)::int, 0),
          shadow_percent = COALESCE((${JSON.stringify(shadow)}::jsonb ->> d.id)::int, 0)
      WHERE d.endpoint_id = ${endpointId}
        AND (d.traffic_percent <> COALESCE((${JSON.stringify(live)}::jsonb ->> d.id)::int, 0)
          OR d.shadow_percent <> COALESCE((${JSON.stringify(shadow)}::jsonb ->> d.id)::int, 0))`;
  }

  appendChange(tx: Transaction, change: TrafficChangeEntry, status: TrafficChangeStatus = 'APPLIED') {
    return tx.trafficChange.create({
      data: {
        status,
        endpointId: change.endpointId,
        live: change.split.live as unknown as Prisma.InputJsonValue,
        shadow: change.split.shadow as unknown as Prisma.InputJsonValue,
        reason: change.reason,
        actor: change.actor,
        rolloutId: change.rolloutId ?? null,
        createdAt: change.at,
      },
    });
  }

  /** The latest recorded split in which `deploymentId` held all live traffic (the stable split). */
  async lastSplitWithFullShare(tx: Transaction, endpointId: string, deploymentId: string) {
    const [row] = await tx.$queryRaw<{ shadow: unknown }[]>`
      SELECT shadow FROM traffic_change
      WHERE endpoint_id = ${endpointId} AND status = 'APPLIED' AND live @> ${JSON.stringify([{ deploymentId, percent: 100 }])}::jsonb
      ORDER BY id DESC LIMIT 1`;
    return row ? { shadow: row.shadow as Split['shadow'] } : null;
  }

  /** The change of the endpoint still PENDING at its owner, if any (one at a time per endpoint). */
  pendingOf(tx: Transaction | Database, endpointId: string) {
    return tx.trafficChange.findFirst({ where: { endpointId, status: 'PENDING' }, orderBy: { id: 'asc' } });
  }

  byId(tx: Transaction | Database, id: bigint) {
    return tx.trafficChange.findUnique({ where: { id } });
  }

  /** Every change left PENDING, with its endpoint (the reconciler reads each back from its owner). */
  pending() {
    return this.db.trafficChange.findMany({
      where: { status: 'PENDING' },
      include: { endpoint: true },
      orderBy: { id: 'asc' },
    });
  }

  /**
   * Moves a PENDING change to `status` (its time becomes the moment it took effect); answers false
   * when it was not PENDING any more (another process, or the reconciler, settled it).
   */
  async settle(tx: Transaction, id: bigint, status: 'APPLIED' | 'FAILED', at: Date): Promise<boolean> {
    const { count } = await tx.trafficChange.updateMany({
      where: { id, status: 'PENDING' },
      data: { status, ...(status === 'APPLIED' ? { createdAt: at } : {}) },
    });
    return count === 1;
  }

  /** Withdraws a PENDING change that left the split as it was (a deploy or retirement): history lists splits only. */
  async withdraw(tx: Transaction, id: bigint): Promise<boolean> {
    const { count } = await tx.trafficChange.deleteMany({ where: { id, status: 'PENDING' } });
    return count === 1;
  }

  /**
   * A page of each endpoint's applied changes, in one statement for every endpoint: newest first
   * from `from` (exclusive), or, `oldestFirst`, the oldest ones after it (a page read backward).
   */
  async historyOfEndpoints(endpointIds: readonly string[], take: number, from: bigint | null, oldestFirst: boolean) {
    const past =
      from == null ? Prisma.empty : oldestFirst ? Prisma.sql`AND id > ${from}` : Prisma.sql`AND id < ${from}`;
    const order = oldestFirst ? Prisma.sql`id ASC` : Prisma.sql`id DESC`;
    const page = await this.db.$queryRaw<{ id: bigint }[]>`
      SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY ${order}) AS n
        FROM traffic_change WHERE endpoint_id = ANY(${[...endpointIds]}::text[]) AND status = 'APPLIED' ${past}
      ) numbered WHERE n <= ${take}`;
    return this.db.trafficChange.findMany({
      where: { id: { in: page.map((row) => row.id) } },
      orderBy: { id: oldestFirst ? 'asc' : 'desc' },
    });
  }

  async countHistoryOfEndpoints(endpointIds: readonly string[]): Promise<Map<string, number>> {
    const counts = await this.db.trafficChange.groupBy({
      by: ['endpointId'],
      where: { endpointId: { in: [...endpointIds] }, status: 'APPLIED' },
      _count: { _all: true },
    });
    return new Map(counts.map((row) => [row.endpointId, row._count._all]));
  }
}

/** Why a split changed, including the owner's own changes that a sync found. */
export type TrafficHistoryReason = TrafficReason | 'SYNC';

/** One entry of an endpoint's traffic history. */
export interface TrafficHistoryEntry {
  endpointId: string;
  split: Split;
  reason: TrafficHistoryReason;
  actor: string;
  rolloutId?: string | null;
  at: Date;
}

/**
 * Appends entries to endpoints' traffic histories in one statement (a sync records the splits its
 * owner changed on many endpoints at once). The split is recorded as given (normalized by the caller).
 */
export async function appendTrafficHistory(tx: Transaction, entries: readonly TrafficHistoryEntry[]) {
  if (!entries.length) return;
  await tx.trafficChange.createMany({
    data: entries.map((entry) => ({
      endpointId: entry.endpointId,
      live: entry.split.live as unknown as Prisma.InputJsonValue,
      shadow: entry.split.shadow as unknown as Prisma.InputJsonValue,
      reason: entry.reason,
      actor: entry.actor,
      rolloutId: entry.rolloutId ?? null,
      createdAt: entry.at,
    })),
  });
}
