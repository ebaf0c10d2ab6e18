import type { Transaction } from '../../../platform/database.ts';
import type { AssetKind } from '../../../platform/ids.ts';

/** Lineage relations; every edge points from the upstream asset to its consumer. */
export type LineageRelation =
  | 'USES_FEATURE' // feature -> model version
  | 'TRAINED_ON' // dataset -> model version
  | 'DERIVED_FROM' // feature or dataset -> dataset
  | 'FINE_TUNED_FROM' // parent model version -> child model version
  | 'DEPLOYED_AS' // model version -> deployment
  | 'SERVED_BY'; // deployment -> endpoint

export interface NewLineageEdge {
  from: { id: string; kind: AssetKind };
  to: { id: string; kind: AssetKind };
  relation: LineageRelation;
  providerName: string;
}

/**
 * Records edges inside the caller's transaction: the service that owns a fact writes its edges in
 * the same transaction as the fact, so the graph never shows a half-made change.
 */
export async function addLineageEdges(tx: Transaction, edges: NewLineageEdge[], source: 'DECLARED' | 'IMPORTED' = 'DECLARED', validFrom?: Date) {
  if (edges.length === 0) return;
  await tx.lineageEdge.createMany({
    data: edges.map((edge) => ({
      ...(validFrom ? { validFrom } : {}),
      fromId: edge.from.id,
      fromKind: edge.from.kind,
      toId: edge.to.id,
      toKind: edge.to.kind,
      relation: edge.relation,
      providerName: edge.providerName,
      source,
    })),
  });
}

/**
 * Ends the open edges of `assetId` (from or to it) of the given relations at `at`: the fact stopped
 * being true (a deployment was retired). The edges stay, so the graph can still be asked as it was.
 */
export async function endLineageEdges(tx: Transaction, assetId: string, relations: LineageRelation[], at: Date) {
  await tx.lineageEdge.updateMany({
    where: { validTo: null, relation: { in: relations }, OR: [{ fromId: assetId }, { toId: assetId }] },
    data: { validTo: at },
  });
}
