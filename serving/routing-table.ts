import { LRUCache } from 'lru-cache';
import type { Database } from '../platform/database.ts';
import { BUILTIN_PROVIDER } from '../adapters/builtin/provider.ts';

/** One deployment as the router sees it: where its model server is, what enriches its requests, its shares. */
export interface RouteTarget {
  /** The deployment's global ID (answered in `x-cairn-deployment`, the label of its metrics). */
  id: string;
  /** The registered model's name: the `{model}` of the model server's v2 paths. */
  modelName: string;
  modelVersion: number;
  /** `scheme://host:port` of the model server, or null when the deployment names none. */
  origin: string | null;
  /** The path under which the server's routes live (the URL's path without its trailing slash; often ""). */
  basePath: string;
  featureView: string | null;
  entityKeyField: string | null;
  trafficPercent: number;
  shadowPercent: number;
}

export interface RoutingTable {
  endpointId: string;
  name: string;
  /** Deployments with a live share, oldest first: a growing newer share keeps the keys it already had. */
  live: RouteTarget[];
  /** Deployments that receive a mirror of this percentage of requests. */
  shadow: RouteTarget[];
}

/**
 * Each built-in endpoint's routing table, read from the catalog (the endpoint and its ACTIVE
 * deployments, one query) and reused for `ttlMs`. A traffic change made in this process calls
 * `invalidate(name)`, so it takes effect at once; one made by another process within `ttlMs`.
 */
export class RoutingTables {
  private readonly cache: LRUCache<string, { until: number; table: Promise<RoutingTable | null> }>;

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {
    // Bounded: a flood of unknown names cannot grow it.
    this.cache = new LRUCache({ max: 10_000 });
  }

  get(name: string): Promise<RoutingTable | null> {
    const cached = this.cache.get(name);
    const now = performance.now();
    if (cached && cached.until > now) return cached.table;
    const table = this.load(name);
    const entry = { until: now + this.ttlMs, table };
    this.cache.set(name, entry);
    // A failed read is not remembered.
    table.catch(() => this.cache.get(name) === entry && this.cache.delete(name));
    return table;
  }

  /** Forgets an endpoint's table: the next request reads the split in force. */
  invalidate(name: string): void {
    this.cache.delete(name);
  }

  private async load(name: string): Promise<RoutingTable | null> {
    const endpoint = await this.db.endpoint.findUnique({
      where: { providerName_name: { providerName: BUILTIN_PROVIDER, name } },
      select: {
        id: true,
        name: true,
        deployments: {
          where: { status: 'ACTIVE', OR: [{ trafficPercent: { gt: 0 } }, { shadowPercent: { gt: 0 } }] },
          orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
          select: {
            id: true,
            trafficPercent: true,
            shadowPercent: true,
            modelServerUrl: true,
            featureView: true,
            entityKeyField: true,
            modelVersion: { select: { version: true, model: { select: { name: true } } } },
          },
        },
      },
    });
    if (!endpoint) return null;
    const targets = endpoint.deployments.map((d): RouteTarget => {
      const url = parseServerUrl(d.modelServerUrl);
      return {
        id: d.id,
        modelName: d.modelVersion.model.name,
        modelVersion: d.modelVersion.version,
        origin: url?.origin ?? null,
        basePath: url?.basePath ?? '',
        featureView: d.featureView,
        entityKeyField: d.entityKeyField,
        trafficPercent: d.trafficPercent,
        shadowPercent: d.shadowPercent,
      };
    });
    return {
      endpointId: endpoint.id,
      name: endpoint.name,
      live: targets.filter((t) => t.trafficPercent > 0),
      shadow: targets.filter((t) => t.shadowPercent > 0),
    };
  }
}

function parseServerUrl(text: string | null): { origin: string; basePath: string } | null {
  if (!text) return null;
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return { origin: url.origin, basePath: url.pathname.replace(/\/+$/, '') };
  } catch {
    return null;
  }
}

/**
 * The live deployment that serves a request. With a routing key, a consistent hash of it picks the
 * same deployment for as long as the split is unchanged (and a deployment whose share grows keeps
 * the keys it had); without one, a weighted random draw.
 */
export function pickLive(table: RoutingTable, routingKey?: string | null): RouteTarget | null {
  if (!table.live.length) return null;
  const point = (routingKey ? hashUnit(routingKey) : Math.random()) * 100;
  let upTo = 0;
  for (const target of table.live) {
    upTo += target.trafficPercent;
    if (point < upTo) return target;
  }
  return table.live[table.live.length - 1]!;
}

/** A string's 32-bit hash (FNV-1a, then murmur3's finalizer to spread near-identical keys) as a number in [0, 1). */
export function hashUnit(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}
