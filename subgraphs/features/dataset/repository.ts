import type { Transaction } from '../../../platform/database.ts';
import { globalId } from '../../../platform/ids.ts';
import type { DatasetRecord } from '../../../adapters/core/catalog-source.ts';
import { insertOrUpdate, removedAt, seenAt, type SyncedRow } from '../../shared/synced-rows.ts';

/** Datasets as their owner reports them (a cloud's DataSet artifacts, pulled by sync); Cairn's own are made by DatasetService. */
export class DatasetRepository {
  /**
   * Records datasets of `provider` as their owner now reports them: where the data is (its URI,
   * kept in the spec). Cairn holds none of their rows, so they have no content hash or row count.
   */
  async upsertSynced(tx: Transaction, provider: string, items: readonly SyncedRow<DatasetRecord>[], now: Date) {
    const idOf = (item: SyncedRow<DatasetRecord>) => globalId('dataset', provider, item.nativeId);
    const fields = ({ record }: SyncedRow<DatasetRecord>) => ({ spec: { uri: record.uri }, ...seenAt(now) });
    await insertOrUpdate(
      items,
      idOf,
      (ids) => tx.dataset.findMany({ where: { id: { in: ids } }, select: { id: true } }),
      (fresh) =>
        tx.dataset.createMany({
          data: fresh.map((item) => ({
            id: idOf(item),
            providerName: provider,
            name: item.record.name,
            version: 1,
            contentHash: '',
            rowCount: 0,
            createdBy: `sync:${provider}`,
            ...fields(item),
          })),
        }),
      (item) => tx.dataset.update({ where: { id: idOf(item) }, data: fields(item) }),
    );
  }

  /** Datasets gone from their owner (models trained on them keep pointing at them). */
  async markRemoved(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.dataset.updateMany({ where: { id: { in: [...ids] } }, data: removedAt(now) });
  }

  /** Datasets a sync saw unchanged. */
  async touchSeen(tx: Transaction, ids: readonly string[], now: Date) {
    await tx.dataset.updateMany({ where: { id: { in: [...ids] } }, data: { lastSeenAt: now } });
  }
}
