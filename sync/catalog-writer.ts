import type { Transaction } from '../platform/database.ts';
import type { CatalogRecords, NativeRef, SyncedKind } from '../adapters/core/catalog-source.ts';
import { globalId, type AssetKind } from '../platform/ids.ts';
import { log } from '../platform/log.ts';
import { sameSplit, splitOf, type Split } from '../subgraphs/deployments/traffic/split.ts';
import type { Prisma } from '../prisma/generated/client.ts';

/**
 * Writes synced records into the catalog, inside the page's transaction. One function per kind;
 * every row is an upsert on its global ID, so a record written twice is the same row (IDs stay
 * stable across syncs) and an asset that comes back after being removed is revived.
 * Lineage edges written here are IMPORTED: never overwritten, ended with `validTo` when they stop
 * being true.
 */

export interface WriteContext {
  tx: Transaction;
  provider: string;
  now: Date;
}

/** The catalog ID of a synced asset (lineage edges: `<from>|<relation>|<to>` of global IDs). */
export function syncedGlobalId(provider: string, kind: SyncedKind, nativeId: string, record?: CatalogRecords['lineageEdge']): string {
  if (kind === 'lineageEdge') {
    if (!record) throw new Error('a lineage edge needs its record for its ID');
    return `${refId(provider, record.from)}|${record.relation}|${refId(provider, record.to)}`;
  }
  return globalId(kind, provider, nativeId);
}

const refId = (provider: string, ref: NativeRef) => globalId(ref.kind, provider, ref.nativeId);

interface EdgeSpec {
  fromId: string;
  fromKind: AssetKind;
  toId: string;
  toKind: AssetKind;
  relation: string;
}

const edgeKey = (e: { fromId: string; toId: string; relation: string }) => `${e.fromId}|${e.relation}|${e.toId}`;

/**
 * Makes the open IMPORTED edges within `scope` exactly `desired`: new ones are created, ones no
 * longer true get `validTo`, unchanged ones are left alone (their `validFrom` keeps its history).
 */
async function reconcileEdges(ctx: WriteContext, scope: Prisma.LineageEdgeWhereInput, desired: EdgeSpec[]) {
  const open = await ctx.tx.lineageEdge.findMany({
    where: { AND: [scope, { providerName: ctx.provider, source: 'IMPORTED', validTo: null }] },
    select: { id: true, fromId: true, toId: true, relation: true },
  });
  const wanted = new Map(desired.map((e) => [edgeKey(e), e]));
  const ended = open.filter((e) => !wanted.has(edgeKey(e))).map((e) => e.id);
  for (const e of open) wanted.delete(edgeKey(e));
  if (ended.length) await ctx.tx.lineageEdge.updateMany({ where: { id: { in: ended } }, data: { validTo: ctx.now } });
  if (wanted.size) {
    await ctx.tx.lineageEdge.createMany({
      data: [...wanted.values()].map((e) => ({ ...e, providerName: ctx.provider, source: 'IMPORTED', validFrom: ctx.now })),
    });
  }
}

/** Ends every open IMPORTED edge of the provider that touches one of `ids` (assets gone from the cloud). */
export async function endEdgesOf(ctx: WriteContext, ids: string[]) {
  if (!ids.length) return;
  await ctx.tx.lineageEdge.updateMany({
    where: { providerName: ctx.provider, source: 'IMPORTED', validTo: null, OR: [{ fromId: { in: ids } }, { toId: { in: ids } }] },
    data: { validTo: ctx.now },
  });
}

/** One asset of a page to write. */
export interface PageWrite<R> {
  nativeId: string;
  record: R;
  fingerprint: string;
}

type Writer<K extends SyncedKind> = (ctx: WriteContext, items: PageWrite<CatalogRecords[K]>[]) => Promise<void>;

/**
 * Rows new to the catalog go in with one INSERT per table; rows it already has (changed, or back
 * after being removed) are updated one by one. On a first sync nearly everything is new.
 */
async function insertOrUpdate<T>(
  items: T[],
  idOf: (item: T) => string,
  existing: (ids: string[]) => Promise<{ id: string }[]>,
  insert: (items: T[]) => Promise<unknown>,
  update: (item: T) => Promise<unknown>,
) {
  if (!items.length) return;
  const present = new Set((await existing(items.map(idOf))).map((row) => row.id));
  const fresh = items.filter((item) => !present.has(idOf(item)));
  if (fresh.length) await insert(fresh);
  for (const item of items) if (present.has(idOf(item))) await update(item);
}

const writeFeatureViews: Writer<'featureView'> = async (ctx, items) => {
  const { tx, provider, now } = ctx;
  const idOf = (item: PageWrite<CatalogRecords['featureView']>) => globalId('featureView', provider, item.nativeId);
  const dataOf = (item: PageWrite<CatalogRecords['featureView']>) => ({
    entity: item.record.entity,
    joinKey: item.record.joinKey,
    ttlSeconds: item.record.ttlSeconds,
    description: item.record.description,
    tags: item.record.tags,
    definitionHash: item.fingerprint,
    lastSeenAt: now,
    removedAt: null,
  });
  await insertOrUpdate(
    items,
    idOf,
    (ids) => tx.featureView.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    (fresh) => tx.featureView.createMany({ data: fresh.map((item) => ({ id: idOf(item), providerName: provider, name: item.record.name, version: 1, nativeId: item.nativeId, ...dataOf(item) })) }),
    (item) => tx.featureView.update({ where: { id: idOf(item) }, data: dataOf(item) }),
  );
  const features = items.flatMap((item) =>
    item.record.features.map((feature, position) => ({
      id: globalId('feature', provider, `${item.nativeId}/${feature.name}`),
      featureViewId: idOf(item),
      name: feature.name,
      fields: { dtype: feature.dtype, description: feature.description, position },
    })),
  );
  await insertOrUpdate(
    features,
    (f) => f.id,
    (ids) => tx.feature.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    (fresh) => tx.feature.createMany({ data: fresh.map((f) => ({ id: f.id, featureViewId: f.featureViewId, name: f.name, ...f.fields })) }),
    (f) => tx.feature.update({ where: { id: f.id }, data: f.fields }),
  );
};

const writeModels: Writer<'model'> = async (ctx, items) => {
  const { tx, provider, now } = ctx;
  const idOf = (item: PageWrite<CatalogRecords['model']>) => globalId('model', provider, item.nativeId);
  const dataOf = (item: PageWrite<CatalogRecords['model']>) => ({ description: item.record.description, tags: item.record.tags, lastSeenAt: now, removedAt: null });
  await insertOrUpdate(
    items,
    idOf,
    (ids) => tx.registeredModel.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    (fresh) => tx.registeredModel.createMany({ data: fresh.map((item) => ({ id: idOf(item), providerName: provider, name: item.record.name, nativeId: item.nativeId, ...dataOf(item) })) }),
    (item) => tx.registeredModel.update({ where: { id: idOf(item) }, data: dataOf(item) }),
  );
};

const writeModelVersions: Writer<'modelVersion'> = async (ctx, items) => {
  const { tx, provider, now } = ctx;
  const idOf = (item: PageWrite<CatalogRecords['modelVersion']>) => globalId('modelVersion', provider, item.nativeId);
  const dataOf = ({ record }: PageWrite<CatalogRecords['modelVersion']>) => ({
    stage: record.stage,
    artifactUri: record.artifactUri,
    imageUri: record.imageUri,
    gitCommit: record.gitCommit,
    description: record.description,
    createdBy: record.createdBy,
    metrics: record.metrics,
    params: record.params,
    tags: record.tags,
    lastSeenAt: now,
    removedAt: null,
  });
  await insertOrUpdate(
    items,
    idOf,
    (ids) => tx.modelVersion.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    (fresh) =>
      tx.modelVersion.createMany({
        data: fresh.map((item) => ({ id: idOf(item), modelId: globalId('model', provider, item.record.modelNativeId), version: item.record.version, nativeId: item.nativeId, ...dataOf(item) })),
      }),
    (item) => tx.modelVersion.update({ where: { id: idOf(item) }, data: dataOf(item) }),
  );
};

/**
 * Endpoints of a page with their deployments (variants), traffic history and edges, in a fixed
 * number of statements whatever the page's size: the endpoints, their previous deployments and the
 * versions they serve are read once; new rows go in with one INSERT per table.
 */
const writeEndpoints: Writer<'endpoint'> = async (ctx, items) => {
  const { tx, provider, now } = ctx;
  const endpointIdOf = (item: PageWrite<CatalogRecords['endpoint']>) => globalId('endpoint', provider, item.nativeId);
  const endpointData = (item: PageWrite<CatalogRecords['endpoint']>) => ({ status: item.record.status, lastSeenAt: now, removedAt: null });
  await insertOrUpdate(
    items,
    endpointIdOf,
    (ids) => tx.endpoint.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    (fresh) => tx.endpoint.createMany({ data: fresh.map((item) => ({ id: endpointIdOf(item), providerName: provider, name: item.record.name, nativeId: item.nativeId, ...endpointData(item) })) }),
    (item) => tx.endpoint.update({ where: { id: endpointIdOf(item) }, data: endpointData(item) }),
  );
  const endpointIds = items.map(endpointIdOf);
  const previous = await tx.deployment.findMany({ where: { endpointId: { in: endpointIds } }, select: { id: true, endpointId: true, status: true, trafficPercent: true, shadowPercent: true } });
  const versionIds = items.flatMap((item) => item.record.deployments.map((d) => globalId('modelVersion', provider, d.modelVersionNativeId)));
  const known = new Set((await tx.modelVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true } })).map((v) => v.id));

  const current: { id: string; endpointId: string; nativeId: string; fields: { modelVersionId: string; strategy: string; status: string; trafficPercent: number; shadowPercent: number; retiredAt: null; lastSeenAt: Date } }[] = [];
  for (const item of items) {
    for (const deployment of item.record.deployments) {
      const modelVersionId = globalId('modelVersion', provider, deployment.modelVersionNativeId);
      if (!known.has(modelVersionId)) {
        log.warn({ provider, endpoint: item.record.name, deployment: deployment.nativeId, modelVersionId }, 'deployment serves a model version not in the catalog: skipped');
        continue;
      }
      current.push({
        id: globalId('deployment', provider, deployment.nativeId),
        endpointId: endpointIdOf(item),
        nativeId: deployment.nativeId,
        fields: { modelVersionId, strategy: deployment.strategy, status: 'ACTIVE', trafficPercent: deployment.trafficPercent, shadowPercent: deployment.shadowPercent, retiredAt: null, lastSeenAt: now },
      });
    }
  }
  const previousIds = new Set(previous.map((d) => d.id));
  const fresh = current.filter((d) => !previousIds.has(d.id));
  if (fresh.length) await tx.deployment.createMany({ data: fresh.map((d) => ({ id: d.id, endpointId: d.endpointId, nativeId: d.nativeId, createdBy: `sync:${provider}`, ...d.fields })) });
  for (const d of current) if (previousIds.has(d.id)) await tx.deployment.update({ where: { id: d.id }, data: d.fields });
  const currentIds = new Set(current.map((d) => d.id));
  const retired = previous.filter((d) => !currentIds.has(d.id) && d.status !== 'RETIRED').map((d) => d.id);
  if (retired.length) await tx.deployment.updateMany({ where: { id: { in: retired } }, data: { status: 'RETIRED', retiredAt: now, trafficPercent: 0, shadowPercent: 0 } });

  // The split as the owner now routes it: a traffic history entry where it differs from the catalog's.
  const changes: ({ endpointId: string } & Split)[] = [];
  const stable: { endpointId: string; deploymentId: string }[] = [];
  for (const endpointId of endpointIds) {
    const before = splitOf(previous.filter((d) => d.endpointId === endpointId && d.status !== 'RETIRED'));
    const after = splitOf(current.filter((d) => d.endpointId === endpointId && d.fields.status !== 'RETIRED').map((d) => ({ id: d.id, ...d.fields })));
    if (!sameSplit(before, after)) changes.push({ endpointId, ...after });
    const full = after.live.find((share) => share.percent === 100);
    if (full) stable.push({ endpointId, deploymentId: full.deploymentId });
  }
  if (changes.length) await tx.trafficChange.createMany({ data: changes.map((c) => ({ endpointId: c.endpointId, live: c.live as unknown as Prisma.InputJsonValue, shadow: c.shadow as unknown as Prisma.InputJsonValue, reason: 'SYNC', actor: `sync:${provider}` })) });
  if (stable.length) {
    await tx.$executeRaw`
      UPDATE endpoint e SET stable_deployment_id = s.deployment_id
      FROM unnest(${stable.map((s) => s.endpointId)}::text[], ${stable.map((s) => s.deploymentId)}::text[]) AS s(endpoint_id, deployment_id)
      WHERE e.id = s.endpoint_id`;
  }
  await reconcileEdges(
    ctx,
    { OR: [{ toId: { in: endpointIds }, relation: 'SERVED_BY' }, { toId: { in: [...previousIds, ...currentIds] }, relation: 'DEPLOYED_AS' }] },
    current.flatMap((d) => [
      { fromId: d.fields.modelVersionId, fromKind: 'modelVersion' as const, toId: d.id, toKind: 'deployment' as const, relation: 'DEPLOYED_AS' },
      { fromId: d.id, fromKind: 'deployment' as const, toId: d.endpointId, toKind: 'endpoint' as const, relation: 'SERVED_BY' },
    ]),
  );
};

const writeDatasets: Writer<'dataset'> = async (ctx, items) => {
  const { tx, provider, now } = ctx;
  const idOf = (item: PageWrite<CatalogRecords['dataset']>) => globalId('dataset', provider, item.nativeId);
  const dataOf = (item: PageWrite<CatalogRecords['dataset']>) => ({ spec: { uri: item.record.uri }, lastSeenAt: now, removedAt: null });
  await insertOrUpdate(
    items,
    idOf,
    (ids) => tx.dataset.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    (fresh) =>
      tx.dataset.createMany({
        data: fresh.map((item) => ({ id: idOf(item), providerName: provider, name: item.record.name, version: 1, contentHash: '', rowCount: 0, createdBy: `sync:${provider}`, ...dataOf(item) })),
      }),
    (item) => tx.dataset.update({ where: { id: idOf(item) }, data: dataOf(item) }),
  );
};

const writeLineageEdges: Writer<'lineageEdge'> = async (ctx, items) => {
  const edges = items.map(({ record }) => ({
    fromId: refId(ctx.provider, record.from),
    fromKind: record.from.kind,
    toId: refId(ctx.provider, record.to),
    toKind: record.to.kind,
    relation: record.relation,
  }));
  const open = await ctx.tx.lineageEdge.findMany({
    where: { providerName: ctx.provider, source: 'IMPORTED', validTo: null, toId: { in: [...new Set(edges.map((e) => e.toId))] } },
    select: { fromId: true, toId: true, relation: true },
  });
  const present = new Set(open.map(edgeKey));
  const missing = edges.filter((e) => !present.has(edgeKey(e)));
  if (missing.length) await ctx.tx.lineageEdge.createMany({ data: missing.map((e) => ({ ...e, providerName: ctx.provider, source: 'IMPORTED', validFrom: ctx.now })) });
};

export const CATALOG_WRITERS: { [K in SyncedKind]: Writer<K> } = {
  featureView: writeFeatureViews,
  model: writeModels,
  modelVersion: writeModelVersions,
  endpoint: writeEndpoints,
  dataset: writeDatasets,
  lineageEdge: writeLineageEdges,
};

/**
 * Marks catalog rows whose assets are gone from the cloud: `removedAt` (endpoints DELETED, their
 * deployments RETIRED at 0%), and ends every IMPORTED edge touching them. Rows are never deleted:
 * promotions, audit events and lineage history keep pointing at them.
 */
export async function markRemoved(ctx: WriteContext, kind: SyncedKind, ids: string[]) {
  const { tx, now } = ctx;
  const removed = { removedAt: now };
  switch (kind) {
    case 'featureView':
      await tx.featureView.updateMany({ where: { id: { in: ids } }, data: removed });
      break;
    case 'model':
      await tx.registeredModel.updateMany({ where: { id: { in: ids } }, data: removed });
      break;
    case 'modelVersion':
      await tx.modelVersion.updateMany({ where: { id: { in: ids } }, data: removed });
      break;
    case 'dataset':
      await tx.dataset.updateMany({ where: { id: { in: ids } }, data: removed });
      break;
    case 'endpoint': {
      await tx.endpoint.updateMany({ where: { id: { in: ids } }, data: { ...removed, status: 'DELETED' } });
      const deployments = await tx.deployment.findMany({ where: { endpointId: { in: ids } }, select: { id: true } });
      await tx.deployment.updateMany({ where: { endpointId: { in: ids }, status: { not: 'RETIRED' } }, data: { status: 'RETIRED', retiredAt: now, trafficPercent: 0, shadowPercent: 0 } });
      await endEdgesOf(ctx, deployments.map((d) => d.id));
      break;
    }
    case 'lineageEdge': {
      for (const id of ids) {
        const [fromId, relation, toId] = id.split('|');
        await tx.lineageEdge.updateMany({ where: { providerName: ctx.provider, source: 'IMPORTED', validTo: null, fromId, toId, relation }, data: { validTo: now } });
      }
      return;
    }
  }
  await endEdgesOf(ctx, ids);
}

/** Refreshes `lastSeenAt` of assets a sync saw unchanged (one statement per page). */
export async function touchSeen(ctx: WriteContext, kind: SyncedKind, ids: string[]) {
  if (!ids.length) return;
  const where = { where: { id: { in: ids } }, data: { lastSeenAt: ctx.now } };
  switch (kind) {
    case 'featureView':
      return void (await ctx.tx.featureView.updateMany(where));
    case 'model':
      return void (await ctx.tx.registeredModel.updateMany(where));
    case 'modelVersion':
      return void (await ctx.tx.modelVersion.updateMany(where));
    case 'endpoint':
      return void (await ctx.tx.endpoint.updateMany(where));
    case 'dataset':
      return void (await ctx.tx.dataset.updateMany(where));
    case 'lineageEdge':
      return;
  }
}
