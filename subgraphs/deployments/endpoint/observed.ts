import type { Database, Transaction } from '../../../platform/database.ts';
import { globalId } from '../../../platform/ids.ts';
import { log } from '../../../platform/log.ts';
import type { EndpointRecord } from '../../../adapters/core/catalog-source.ts';
import { endImportedEdgesOf, reconcileImportedEdges, type ImportedEdge } from '../../lineage/edge/writer.ts';
import type { SyncedRow } from '../../shared/synced-rows.ts';
import { DeploymentRepository, type ObservedDeployment } from '../deployment/repository.ts';
import { appendTrafficHistory, type TrafficHistoryEntry } from '../traffic/repository.ts';
import { fullShareOf, sameSplit, splitOf } from '../traffic/split.ts';
import { EndpointRepository } from './repository.ts';

/**
 * Endpoints as their owner reports them (a cloud's endpoints, pulled by sync), recorded with the
 * deployments subgraph's own rules, the ones a request that changes an endpoint follows:
 * - a deployment the owner no longer has is retired (DeploymentRepository.retire);
 * - a split that differs from the catalog's gets an entry in the endpoint's traffic history;
 * - a deployment given 100% of live traffic becomes the endpoint's stable deployment.
 * The owner already made the change, so nothing here calls it. A page of endpoints costs a fixed
 * number of statements whatever its size.
 */
export class ObservedEndpoints {
  private readonly endpoints: EndpointRepository;
  private readonly deployments: DeploymentRepository;

  constructor(db: Database) {
    this.endpoints = new EndpointRepository(db);
    this.deployments = new DeploymentRepository(db);
  }

  /** Records `items` (endpoints with their deployments) of `provider`, in the caller's transaction. */
  async record(tx: Transaction, provider: string, items: readonly SyncedRow<EndpointRecord>[], now: Date) {
    const endpointIdOf = (item: SyncedRow<EndpointRecord>) => globalId('endpoint', provider, item.nativeId);
    await this.endpoints.upsertObserved(
      tx,
      provider,
      items.map((item) => ({
        id: endpointIdOf(item),
        nativeId: item.nativeId,
        name: item.record.name,
        status: item.record.status,
      })),
      now,
    );
    const endpointIds = items.map(endpointIdOf);
    const previous = await this.deployments.sharesOf(tx, endpointIds);
    const versionIds = items.flatMap((item) =>
      item.record.deployments.map((d) => globalId('modelVersion', provider, d.modelVersionNativeId)),
    );
    const known = await this.deployments.knownModelVersionIds(tx, versionIds);

    const current: ObservedDeployment[] = [];
    for (const item of items) {
      for (const deployment of item.record.deployments) {
        const modelVersionId = globalId('modelVersion', provider, deployment.modelVersionNativeId);
        if (!known.has(modelVersionId)) {
          log.warn(
            { provider, endpoint: item.record.name, deployment: deployment.nativeId, modelVersionId },
            'deployment serves a model version not in the catalog: skipped',
          );
          continue;
        }
        current.push({
          id: globalId('deployment', provider, deployment.nativeId),
          endpointId: endpointIdOf(item),
          nativeId: deployment.nativeId,
          modelVersionId,
          strategy: deployment.strategy,
          trafficPercent: deployment.trafficPercent,
          shadowPercent: deployment.shadowPercent,
        });
      }
    }
    await this.deployments.upsertObserved(tx, provider, current, now);
    const currentIds = new Set(current.map((d) => d.id));
    await this.deployments.retire(
      tx,
      previous.filter((d) => !currentIds.has(d.id) && d.status !== 'RETIRED').map((d) => d.id),
      now,
    );

    // The split as the owner now routes it: a history entry where it differs from the catalog's.
    const history: TrafficHistoryEntry[] = [];
    const stable: { endpointId: string; deploymentId: string }[] = [];
    for (const endpointId of endpointIds) {
      const before = splitOf(previous.filter((d) => d.endpointId === endpointId && d.status !== 'RETIRED'));
      const after = splitOf(
        current
          .filter((d) => d.endpointId === endpointId)
          .map((d) => ({ id: d.id, trafficPercent: d.trafficPercent, shadowPercent: d.shadowPercent })),
      );
      if (!sameSplit(before, after))
        history.push({ endpointId, split: after, reason: 'SYNC', actor: `sync:${provider}`, at: now });
      const full = fullShareOf(after);
      if (full) stable.push({ endpointId, deploymentId: full });
    }
    await appendTrafficHistory(tx, history);
    await this.endpoints.setStableDeployments(tx, stable);

    const previousIds = previous.map((d) => d.id);
    await reconcileImportedEdges(
      tx,
      provider,
      {
        OR: [
          { toId: { in: endpointIds }, relation: 'SERVED_BY' },
          { toId: { in: [...previousIds, ...currentIds] }, relation: 'DEPLOYED_AS' },
        ],
      },
      current.flatMap((d): ImportedEdge[] => [
        {
          fromId: d.modelVersionId,
          fromKind: 'modelVersion',
          toId: d.id,
          toKind: 'deployment',
          relation: 'DEPLOYED_AS',
        },
        { fromId: d.id, fromKind: 'deployment', toId: d.endpointId, toKind: 'endpoint', relation: 'SERVED_BY' },
      ]),
      now,
    );
  }

  /** Endpoints gone from their owner: DELETED, their deployments retired, their imported edges ended. */
  async remove(tx: Transaction, provider: string, endpointIds: readonly string[], now: Date) {
    await this.endpoints.markRemoved(tx, endpointIds, now);
    const deployments = await this.deployments.sharesOf(tx, endpointIds);
    await this.deployments.retire(
      tx,
      deployments.filter((d) => d.status !== 'RETIRED').map((d) => d.id),
      now,
    );
    await endImportedEdgesOf(tx, provider, [...endpointIds, ...deployments.map((d) => d.id)], now);
  }

  /** Endpoints a sync saw unchanged. */
  touch(tx: Transaction, endpointIds: readonly string[], now: Date) {
    return this.endpoints.touchSeen(tx, endpointIds, now);
  }
}
