import { LRUCache } from 'lru-cache';
import type { Database } from '../platform/database.ts';

/** What enrichment needs of a feature view: its owner and its features in declared order. */
export interface FeatureViewDefinition {
  name: string;
  /** The provider instance whose `features` capability holds the view's online values. */
  providerName: string;
  featureNames: string[];
  /** Feature name -> dtype (INT64, FLOAT64, STRING, BOOL, TIMESTAMP, FLOAT32_LIST, or a cloud's own). */
  dtypes: Map<string, string>;
}

/**
 * Each feature view's definition as the router reads it from the catalog (the latest version of
 * the name, as `onlineFeatures` resolves it), reused for `ttlMs`: definitions are read on every
 * enriched call, and a catalog query would cost more than the online store's round trip. An apply
 * in this process calls `invalidate()`, so it takes effect at once; one in another process within `ttlMs`.
 */
export class FeatureViewDefinitions {
  private readonly cache: LRUCache<string, { until: number; definition: Promise<FeatureViewDefinition | null> }>;

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
  ) {
    // Bounded, and unknown names are not remembered: a flood of them cannot grow it.
    this.cache = new LRUCache({ max: 10_000 });
  }

  get(name: string): Promise<FeatureViewDefinition | null> {
    const cached = this.cache.get(name);
    const now = performance.now();
    if (cached && cached.until > now) return cached.definition;
    const definition = this.load(name);
    const entry = { until: now + this.ttlMs, definition };
    this.cache.set(name, entry);
    const forget = () => this.cache.get(name) === entry && this.cache.delete(name);
    definition.then((found) => found === null && forget(), forget);
    return definition;
  }

  /** Forgets every definition (a view was applied): the next call reads the catalog. */
  invalidate(): void {
    this.cache.clear();
  }

  private async load(name: string): Promise<FeatureViewDefinition | null> {
    const view = await this.db.featureView.findFirst({
      where: { name },
      orderBy: { version: 'desc' },
      select: {
        name: true,
        providerName: true,
        features: { orderBy: { position: 'asc' }, select: { name: true, dtype: true } },
      },
    });
    if (!view) return null;
    return {
      name: view.name,
      providerName: view.providerName,
      featureNames: view.features.map((feature) => feature.name),
      dtypes: new Map(view.features.map((feature) => [feature.name, feature.dtype])),
    };
  }
}
