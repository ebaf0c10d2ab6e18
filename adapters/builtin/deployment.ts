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
import type { Database } from '../../platform/database.ts';
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
 * traffic and shadow percentages), so it is its own owner: a change has nothing to call beyond
 * checking it can be routed, the deployments services' commit is the change itself, and reading
 * the owner back is reading the catalog.
 */
export class BuiltinDeploymentProvider implements DeploymentProvider {
  readonly providerName = BUILTIN_PROVIDER;

  constructor(
    private readonly db: Database,
    private readonly options: BuiltinDeploymentOptions,
  ) {}

  async createEndpoint(name: string) {
    const existing = await this.db.endpoint.findUnique({
      where: { providerName_name: { providerName: this.providerName, name } },
      select: { id: true },
    });
    if (existing) throw new ConflictError(`endpoint ${JSON.stringify(name)} already exists on ${this.providerName}`);
    return { nativeId: name };
  }

  async createDeployment(_endpoint: EndpointRef, spec: DeploymentSpec) {
    if (!isHttpUrl(spec.modelServerUrl)) {
      throw new InputError([
        {
          path: 'input.modelServerUrl',
          message: "the built-in router needs the model server's http:// or https:// URL",
        },
      ]);
    }
    return { nativeId: parseGlobalId(spec.id).nativeId };
  }

  /**
   * Nothing to call: the traffic service's commit writes the routing table. What the catalog says
   * of the deployments (that they exist and are ACTIVE) the service checks under the endpoint's
   * lock, where a deployment made in the same change is visible; here only that every share names
   * a deployment of this endpoint (`<endpoint>/<name>`, its global ID's native part).
   */
  async applyTrafficSplit(endpoint: EndpointRef, split: TrafficSplitSpec) {
    const problems = [...split.live, ...split.shadow]
      .filter(
        (share) =>
          !share.nativeId.startsWith(`${endpoint.nativeId}/`) ||
          parseGlobalId(share.deploymentId).nativeId !== share.nativeId,
      )
      .map((share) => ({ path: share.deploymentId, message: `is not a deployment of endpoint ${endpoint.name}` }));
    if (problems.length) throw new InputError(problems);
  }

  async trafficSplitOf(
    endpoint: EndpointRef,
    _deployments: { id: string; nativeId: string }[],
  ): Promise<TrafficSplitSpec> {
    // The router routes ACTIVE deployments with a share above 0: that is the split in force.
    const rows = await this.db.deployment.findMany({
      where: { endpointId: endpoint.id, status: 'ACTIVE' },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return {
      live: rows
        .filter((d) => d.trafficPercent > 0)
        .map((d) => ({ deploymentId: d.id, nativeId: d.nativeId, percent: d.trafficPercent })),
      shadow: rows
        .filter((d) => d.shadowPercent > 0)
        .map((d) => ({ deploymentId: d.id, nativeId: d.nativeId, percent: d.shadowPercent })),
    };
  }

  splitCommitted(endpoint: EndpointRef) {
    try {
      this.options.onSplitChanged?.(endpoint.name);
    } catch (error) {
      log.warn({ err: error, endpoint: endpoint.name }, 'routing table invalidation failed');
    }
  }

  async retireDeployment(_endpoint: EndpointRef, _deployment: { id: string; nativeId: string }) {
    // The router routes only ACTIVE deployments with a share: the catalog's RETIRED row releases the route.
  }

  async deploymentStats(_endpoint: EndpointRef, deploymentIds: string[], since: Date) {
    const figures = this.options.stats.statsSince(deploymentIds, since);
    return new Map(deploymentIds.map((id) => [id, figures.get(id) ?? { requests: 0, errors: 0, latencyP99Ms: null }]));
  }
}
