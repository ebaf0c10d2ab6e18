import type { Transaction } from '../../../platform/database.ts';
import type { AssetKind } from '../../../platform/ids.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';

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
export async function addLineageEdges(
  tx: Transaction,
  edges: NewLineageEdge[],
  source: 'DECLARED' | 'IMPORTED' = 'DECLARED',
  validFrom?: Date,
) {
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
 * Ends the open edges of `assetId` (from or to it; or of several assets) of the given relations
 * at `at`: the fact stopped being true (a deployment was retired). The edges stay, so the graph can still be asked as it was.
 */
export async function endLineageEdges(
  tx: Transaction,
  assetId: string | string[],
  relations: LineageRelation[],
  at: Date,
) {
  const ids = Array.isArray(assetId) ? assetId : [assetId];
  if (!ids.length) return;
  await tx.lineageEdge.updateMany({
    where: { validTo: null, relation: { in: relations }, OR: [{ fromId: { in: ids } }, { toId: { in: ids } }] },
    data: { validTo: at },
  });
}

/**
 * Edges a provider's own lineage says (SageMaker associations, the variants of its endpoints),
 * recorded by sync as IMPORTED. The history of an imported edge is the owner's: it starts when a
 * sync first sees it and ends (`validTo`) when a sync no longer does; it is never overwritten.
 */
export interface ImportedEdge {
  fromId: string;
  fromKind: AssetKind;
  toId: string;
  toKind: AssetKind;
  relation: LineageRelation;
}

const edgeKey = (e: { fromId: string; toId: string; relation: string }) => `${e.fromId}|${e.relation}|${e.toId}`;

async function createImported(tx: Transaction, provider: string, edges: Iterable<ImportedEdge>, at: Date) {
  const data = [...edges].map((e) => ({ ...e, providerName: provider, source: 'IMPORTED', validFrom: at }));
  if (data.length) await tx.lineageEdge.createMany({ data });
}

/**
 * Makes the provider's open IMPORTED edges within `scope` exactly `desired`: new ones start at
 * `at`, ones no longer true end at `at`, unchanged ones are left alone (their `validFrom` keeps
 * its history).
 */
export async function reconcileImportedEdges(
  tx: Transaction,
  provider: string,
  scope: Prisma.LineageEdgeWhereInput,
  desired: ImportedEdge[],
  at: Date,
) {
  const open = await tx.lineageEdge.findMany({
    where: { AND: [scope, { providerName: provider, source: 'IMPORTED', validTo: null }] },
    select: { id: true, fromId: true, toId: true, relation: true },
  });
  const wanted = new Map(desired.map((e) => [edgeKey(e), e]));
  const ended = open.filter((e) => !wanted.has(edgeKey(e))).map((e) => e.id);
  for (const e of open) wanted.delete(edgeKey(e));
  if (ended.length) await tx.lineageEdge.updateMany({ where: { id: { in: ended } }, data: { validTo: at } });
  await createImported(tx, provider, wanted.values(), at);
}

/** Starts the IMPORTED edges among `edges` that are not open already (an edge listed again is the same edge). */
export async function addImportedEdges(tx: Transaction, provider: string, edges: ImportedEdge[], at: Date) {
  if (!edges.length) return;
  const open = await tx.lineageEdge.findMany({
    where: {
      providerName: provider,
      source: 'IMPORTED',
      validTo: null,
      toId: { in: [...new Set(edges.map((e) => e.toId))] },
    },
    select: { fromId: true, toId: true, relation: true },
  });
  const present = new Set(open.map(edgeKey));
  await createImported(
    tx,
    provider,
    new Map(edges.filter((e) => !present.has(edgeKey(e))).map((e) => [edgeKey(e), e])).values(),
    at,
  );
}

/** Ends the given IMPORTED edges (the owner no longer has them). */
export async function endImportedEdges(
  tx: Transaction,
  provider: string,
  edges: { fromId: string; relation: string; toId: string }[],
  at: Date,
) {
  for (const { fromId, relation, toId } of edges) {
    await tx.lineageEdge.updateMany({
      where: { providerName: provider, source: 'IMPORTED', validTo: null, fromId, toId, relation },
      data: { validTo: at },
    });
  }
}

/** Ends every open IMPORTED edge of the provider that touches one of `assetIds` (assets gone from their owner). */
export async function endImportedEdgesOf(tx: Transaction, provider: string, assetIds: string[], at: Date) {
  if (!assetIds.length) return;
  await tx.lineageEdge.updateMany({
    where: {
      providerName: provider,
      source: 'IMPORTED',
      validTo: null,
      OR: [{ fromId: { in: assetIds } }, { toId: { in: assetIds } }],
    },
    data: { validTo: at },
  });
}
