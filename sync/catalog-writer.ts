import type { Database, Transaction } from '../platform/database.ts';
import type { CatalogRecords, NativeRef, SyncedKind } from '../adapters/core/catalog-source.ts';
import { globalId } from '../platform/ids.ts';
import { FeatureViewRepository } from '../subgraphs/features/feature-view/repository.ts';
import { DatasetRepository } from '../subgraphs/features/dataset/repository.ts';
import { ModelVersionRepository } from '../subgraphs/models/model-version/repository.ts';
import { ObservedEndpoints } from '../subgraphs/deployments/endpoint/observed.ts';
import {
  addImportedEdges,
  endImportedEdges,
  endImportedEdgesOf,
  type ImportedEdge,
} from '../subgraphs/lineage/edge/writer.ts';

/**
 * Where the sync engine writes: each kind of asset through the domain that owns it (feature views
 * and datasets through the features subgraph's repositories, models and versions through the
 * models subgraph's, endpoints through the deployments subgraph's rules, lineage edges through the
 * lineage subgraph's writer). The engine owns only change detection, transactions and counts; a
 * rule about an asset (retiring a deployment, traffic history, the stable deployment) lives once,
 * with its owner. Every write is inside the page's transaction and keyed by the asset's global
 * ID, so a record written twice is the same row and an asset back after removal is revived.
 */

export interface WriteContext {
  tx: Transaction;
  provider: string;
  now: Date;
}

/** One asset of a page to write. */
export interface PageWrite<R> {
  nativeId: string;
  record: R;
  /** The hash of the record (a feature view keeps it as its definition hash). */
  fingerprint: string;
}

/** How one kind of synced asset reaches the catalog. */
export interface KindWriter<K extends SyncedKind> {
  /** Records assets new or changed at the owner. */
  write(ctx: WriteContext, items: PageWrite<CatalogRecords[K]>[]): Promise<void>;
  /** Assets the owner no longer has, by global ID: marked removed (rows are never deleted), their imported edges ended. */
  remove(ctx: WriteContext, ids: string[]): Promise<void>;
  /** Assets a sync saw unchanged, by global ID. */
  touch(ctx: WriteContext, ids: string[]): Promise<void>;
}

export type CatalogWriters = { [K in SyncedKind]: KindWriter<K> };

/** The catalog ID of a synced asset (lineage edges: `<from>|<relation>|<to>` of global IDs). */
export function syncedGlobalId(
  provider: string,
  kind: SyncedKind,
  nativeId: string,
  record?: CatalogRecords['lineageEdge'],
): string {
  if (kind === 'lineageEdge') {
    if (!record) throw new Error('a lineage edge needs its record for its ID');
    return `${refId(provider, record.from)}|${record.relation}|${refId(provider, record.to)}`;
  }
  return globalId(kind, provider, nativeId);
}

const refId = (provider: string, ref: NativeRef) => globalId(ref.kind, provider, ref.nativeId);

/** An asset gone from its owner takes its imported edges with it. */
const endingEdges =
  (mark: (tx: Transaction, ids: string[], now: Date) => Promise<void>) =>
  async ({ tx, provider, now }: WriteContext, ids: string[]) => {
    await mark(tx, ids, now);
    await endImportedEdgesOf(tx, provider, ids, now);
  };

/** The writers of one process, over the owning domains' repositories. */
export function catalogWriters(db: Database): CatalogWriters {
  const featureViews = new FeatureViewRepository(db);
  const datasets = new DatasetRepository();
  const models = new ModelVersionRepository(db);
  const endpoints = new ObservedEndpoints(db);
  return {
    featureView: {
      write: ({ tx, provider, now }, items) =>
        featureViews.upsertSynced(
          tx,
          provider,
          items.map((item) => ({ ...item, definitionHash: item.fingerprint })),
          now,
        ),
      remove: endingEdges((tx, ids, now) => featureViews.markRemoved(tx, ids, now)),
      touch: ({ tx, now }, ids) => featureViews.touchSeen(tx, ids, now),
    },
    model: {
      write: ({ tx, provider, now }, items) => models.upsertSyncedModels(tx, provider, items, now),
      remove: endingEdges((tx, ids, now) => models.markModelsRemoved(tx, ids, now)),
      touch: ({ tx, now }, ids) => models.touchModels(tx, ids, now),
    },
    modelVersion: {
      write: ({ tx, provider, now }, items) => models.upsertSyncedVersions(tx, provider, items, now),
      remove: endingEdges((tx, ids, now) => models.markVersionsRemoved(tx, ids, now)),
      touch: ({ tx, now }, ids) => models.touchVersions(tx, ids, now),
    },
    endpoint: {
      write: ({ tx, provider, now }, items) => endpoints.record(tx, provider, items, now),
      remove: ({ tx, provider, now }, ids) => endpoints.remove(tx, provider, ids, now),
      touch: ({ tx, now }, ids) => endpoints.touch(tx, ids, now),
    },
    dataset: {
      write: ({ tx, provider, now }, items) => datasets.upsertSynced(tx, provider, items, now),
      remove: endingEdges((tx, ids, now) => datasets.markRemoved(tx, ids, now)),
      touch: ({ tx, now }, ids) => datasets.touchSeen(tx, ids, now),
    },
    lineageEdge: {
      write: ({ tx, provider, now }, items) =>
        addImportedEdges(
          tx,
          provider,
          items.map(({ record }) => edgeOf(provider, record)),
          now,
        ),
      remove: ({ tx, provider, now }, ids) =>
        endImportedEdges(
          tx,
          provider,
          ids.map((id) => {
            const [fromId, relation, toId] = id.split('|') as [string, string, string];
            return { fromId, relation, toId };
          }),
          now,
        ),
      // An edge carries no "last seen": its history is validFrom / validTo.
      touch: async () => {},
    },
  };
}

function edgeOf(provider: string, record: CatalogRecords['lineageEdge']): ImportedEdge {
  return {
    fromId: refId(provider, record.from),
    fromKind: record.from.kind,
    toId: refId(provider, record.to),
    toKind: record.to.kind,
    relation: record.relation,
  };
}
