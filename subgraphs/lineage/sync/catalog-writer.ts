import type { Transaction } from '../../../adapters/builtin/database.ts';
import type { CatalogRecords, NativeRef, SyncedKind } from '../../../adapters/core/catalog-source.ts';
import { globalId, type AssetKind } from '../../../adapters/core/ids.ts';
import { log } from '../../../adapters/core/log.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';

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
  if (kind === 'featureView') return globalId('featureView', provider, nativeId);
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

type Writer<K extends SyncedKind> = (ctx: WriteContext, nativeId: string, record: CatalogRecords[K], fingerprint: string) => Promise<void>;

const writeFeatureView: Writer<'featureView'> = async (ctx, nativeId, record, fingerprint) => {
  const id = globalId('featureView', ctx.provider, nativeId);
  const data = {
    entity: record.entity,
    joinKey: record.joinKey,
    ttlSeconds: record.ttlSeconds,
    description: record.description,
    tags: record.tags,
    definitionHash: fingerprint,
    lastSeenAt: ctx.now,
    removedAt: null,
  };
  await ctx.tx.featureView.upsert({
    where: { id },
    create: { id, providerName: ctx.provider, name: record.name, version: 1, nativeId, ...data },
    update: data,
  });
  for (const [position, feature] of record.features.entries()) {
    const featureId = globalId('feature', ctx.provider, `${nativeId}/${feature.name}`);
    const fields = { dtype: feature.dtype, description: feature.description, position };
    await ctx.tx.feature.upsert({ where: { id: featureId }, create: { id: featureId, featureViewId: id, name: feature.name, ...fields }, update: fields });
  }
};

const writeModel: Writer<'model'> = async (ctx, nativeId, record) => {
  const id = globalId('model', ctx.provider, nativeId);
  const data = { description: record.description, tags: record.tags, lastSeenAt: ctx.now, removedAt: null };
  await ctx.tx.registeredModel.upsert({ where: { id }, create: { id, providerName: ctx.provider, name: record.name, nativeId, ...data }, update: data });
};

const writeModelVersion: Writer<'modelVersion'> = async (ctx, nativeId, record) => {
  const id = globalId('modelVersion', ctx.provider, nativeId);
  const data = {
    stage: record.stage,
    artifactUri: record.artifactUri,
    imageUri: record.imageUri,
    gitCommit: record.gitCommit,
    description: record.description,
    createdBy: record.createdBy,
    metrics: record.metrics,
    params: record.params,
    tags: record.tags,
    lastSeenAt: ctx.now,
    removedAt: null,
  };
  await ctx.tx.modelVersion.upsert({
    where: { id },
    create: { id, modelId: globalId('model', ctx.provider, record.modelNativeId), version: record.version, nativeId, ...data },
    update: data,
  });
};

const writeEndpoint: Writer<'endpoint'> = async (ctx, nativeId, record) => {
  const { tx, provider, now } = ctx;
  const endpointId = globalId('endpoint', provider, nativeId);
  const data = { status: record.status, lastSeenAt: now, removedAt: null };
  await tx.endpoint.upsert({ where: { id: endpointId }, create: { id: endpointId, providerName: provider, name: record.name, nativeId, ...data }, update: data });
  const previous = await tx.deployment.findMany({ where: { endpointId }, select: { id: true, status: true, trafficPercent: true, shadowPercent: true } });
  const versionIds = record.deployments.map((d) => globalId('modelVersion', provider, d.modelVersionNativeId));
  const known = new Set((await tx.modelVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true } })).map((v) => v.id));
  const current: { id: string; modelVersionId: string; trafficPercent: number; shadowPercent: number }[] = [];
  for (const deployment of record.deployments) {
    const id = globalId('deployment', provider, deployment.nativeId);
    const modelVersionId = globalId('modelVersion', provider, deployment.modelVersionNativeId);
    if (!known.has(modelVersionId)) {
      log.warn({ provider, endpoint: record.name, deployment: deployment.nativeId, modelVersionId }, 'deployment serves a model version not in the catalog: skipped');
      continue;
    }
    const fields = {
      modelVersionId,
      strategy: deployment.strategy,
      status: 'ACTIVE',
      trafficPercent: deployment.trafficPercent,
      shadowPercent: deployment.shadowPercent,
      retiredAt: null,
      lastSeenAt: now,
    };
    await tx.deployment.upsert({ where: { id }, create: { id, endpointId, nativeId: deployment.nativeId, createdBy: `sync:${provider}`, ...fields }, update: fields });
    current.push({ id, modelVersionId, trafficPercent: deployment.trafficPercent, shadowPercent: deployment.shadowPercent });
  }
  const currentIds = new Set(current.map((d) => d.id));
  const retired = previous.filter((d) => !currentIds.has(d.id) && d.status !== 'RETIRED').map((d) => d.id);
  if (retired.length) {
    await tx.deployment.updateMany({ where: { id: { in: retired } }, data: { status: 'RETIRED', retiredAt: now, trafficPercent: 0, shadowPercent: 0 } });
  }
  // The split as SageMaker now routes it: a new traffic history entry when it differs from the catalog's.
  const split = (rows: { id: string; trafficPercent: number; shadowPercent: number; status?: string }[]) => ({
    live: rows.filter((d) => d.status !== 'RETIRED' && d.trafficPercent > 0).map((d) => ({ deploymentId: d.id, percent: d.trafficPercent })).sort((a, b) => a.deploymentId.localeCompare(b.deploymentId)),
    shadow: rows.filter((d) => d.status !== 'RETIRED' && d.shadowPercent > 0).map((d) => ({ deploymentId: d.id, percent: d.shadowPercent })).sort((a, b) => a.deploymentId.localeCompare(b.deploymentId)),
  });
  const before = split(previous);
  const after = split(current);
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    await tx.trafficChange.create({ data: { endpointId, live: after.live, shadow: after.shadow, reason: 'SYNC', actor: `sync:${provider}` } });
  }
  const full = after.live.find((share) => share.percent === 100);
  if (full) await tx.endpoint.update({ where: { id: endpointId }, data: { stableDeploymentId: full.deploymentId } });
  await reconcileEdges(
    ctx,
    { OR: [{ toId: endpointId, relation: 'SERVED_BY' }, { toId: { in: [...previous.map((d) => d.id), ...currentIds] }, relation: 'DEPLOYED_AS' }] },
    current.flatMap((d) => [
      { fromId: d.modelVersionId, fromKind: 'modelVersion' as const, toId: d.id, toKind: 'deployment' as const, relation: 'DEPLOYED_AS' },
      { fromId: d.id, fromKind: 'deployment' as const, toId: endpointId, toKind: 'endpoint' as const, relation: 'SERVED_BY' },
    ]),
  );
};

const writeDataset: Writer<'dataset'> = async (ctx, nativeId, record) => {
  const id = globalId('dataset', ctx.provider, nativeId);
  const data = { spec: { uri: record.uri }, lastSeenAt: ctx.now, removedAt: null };
  await ctx.tx.dataset.upsert({
    where: { id },
    create: { id, providerName: ctx.provider, name: record.name, version: 1, contentHash: '', rowCount: 0, createdBy: `sync:${ctx.provider}`, ...data },
    update: data,
  });
};

const writeLineageEdge: Writer<'lineageEdge'> = async (ctx, _nativeId, record) => {
  const edge = { fromId: refId(ctx.provider, record.from), fromKind: record.from.kind, toId: refId(ctx.provider, record.to), toKind: record.to.kind, relation: record.relation };
  await reconcileEdges(ctx, { fromId: edge.fromId, toId: edge.toId, relation: edge.relation }, [edge]);
};

export const CATALOG_WRITERS: { [K in SyncedKind]: Writer<K> } = {
  featureView: writeFeatureView,
  model: writeModel,
  modelVersion: writeModelVersion,
  endpoint: writeEndpoint,
  dataset: writeDataset,
  lineageEdge: writeLineageEdge,
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
