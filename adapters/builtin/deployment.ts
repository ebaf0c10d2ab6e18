import { ConflictError, InputError } from '../../platform/errors.ts';
import { parseGlobalId } from '../../platform/ids.ts';
import type {
  DeploymentProvider,
  DeploymentSpec,
  DeploymentStatsSource,
  EndpointRef,
  TrafficSplitSpec,
} from '../core/deployment.ts';
import { log } from '../../platform/log.ts';
import type { Transaction } from '../../platform/database.ts';
import { BUILTIN_PROVIDER } from './provider.ts';

export interface BuiltinDeploymentOptions {
  /** Per-deployment figures of routed calls (the inference router's recorder). */
  stats: DeploymentStatsSource;
  /** Told after a committed change of an endpoint's split: the router drops its cached routing table. */
  onSplitChanged?: (endpointName: string) => void;
}

/** True for an absolute http:// or https:// URL. */
export function isHttpUrl(value: string | null | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The built-in serving backend: Cairn's inference router forwards predict calls to model servers
 * by URL. Its routing table *is* the catalog (the `deployment` rows of an endpoint with their
 * traffic and shadow percentages), so the owner's writes are the catalog's own rows, made inside
 * the caller's transaction, exactly like the built-in model registry.
 */
export class BuiltinDeploymentProvider implements DeploymentProvider {
  readonly providerName = BUILTIN_PROVIDER;

  constructor(private readonly options: BuiltinDeploymentOptions) {}

  async createEndpoint(tx: Transaction, name: string) {
    const existing = await tx.endpoint.findUnique({ where: { providerName_name: { providerName: this.providerName, name } }, select: { id: true } });
    if (existing) throw new ConflictError(`endpoint ${JSON.stringify(name)} already exists on ${this.providerName}`);
    return { nativeId: name };
  }

  async createDeployment(_tx: Transaction, _endpoint: EndpointRef, spec: DeploymentSpec) {
    if (!isHttpUrl(spec.modelServerUrl)) {
      throw new InputError([{ path: 'input.modelServerUrl', message: 'the built-in router needs the model server\'s http:// or https:// URL' }]);
    }
    return { nativeId: parseGlobalId(spec.id).nativeId };
  }

  async applyTrafficSplit(tx: Transaction, endpoint: EndpointRef, split: TrafficSplitSpec) {
    const live = Object.fromEntries(split.live.map((share) => [share.deploymentId, share.percent]));
    const shadow = Object.fromEntries(split.shadow.map((share) => [share.deploymentId, share.percent]));
    // One statement: every deployment of the endpoint gets its share, or 0 when not named.
    const rows = await tx.$queryRaw<{ id: string; status: string }[]>`
      UPDATE deployment d
      SET traffic_percent = COALESCE((${JSON.stringify(live)}::jsonb ->> d.id)::int, 0),
          shadow_percent = COALESCE((${JSON.stringify(shadow)}::jsonb ->> d.id)::int, 0)
      WHERE d.endpoint_id = ${endpoint.id}
      RETURNING d.id, d.status`;
    const routable = new Set(rows.filter((row) => row.status === 'ACTIVE').map((row) => row.id));
    const problems = [...split.live, ...split.shadow]
      .filter((share) => share.percent > 0 && !routable.has(share.deploymentId))
      .map((share) => ({ path: share.deploymentId, message: `is not an active deployment of endpoint ${endpoint.name}` }));
    // Thrown inside the caller's transaction: the UPDATE above is rolled back with it.
    if (problems.length) throw new InputError(problems);
  }

  splitCommitted(endpoint: EndpointRef) {
    try {
      this.options.onSplitChanged?.(endpoint.name);
    } catch (error) {
      log.warn({ err: error, endpoint: endpoint.name }, 'routing table invalidation failed');
    }
  }

  async retireDeployment(tx: Transaction, _endpoint: EndpointRef, deployment: { id: string; nativeId: string }) {
    // The router routes only ACTIVE deployments with a share: dropping the shares releases the route.
    await tx.deployment.updateMany({ where: { id: deployment.id }, data: { trafficPercent: 0, shadowPercent: 0 } });
  }

  async deploymentStats(_endpoint: EndpointRef, deploymentIds: string[], since: Date) {
    const figures = this.options.stats.statsSince(deploymentIds, since);
    return new Map(deploymentIds.map((id) => [id, figures.get(id) ?? { requests: 0, errors: 0, latencyP99Ms: null }]));
  }
}
