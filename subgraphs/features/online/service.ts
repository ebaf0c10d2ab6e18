import { InputError, NotFoundError } from '../../../platform/errors.ts';
import type { CapabilityLookup } from '../../../adapters/providers.ts';
import type { FeatureService } from '../feature/service.ts';
import type { FeatureViewService } from '../feature-view/service.ts';

const MAX_ENTITY_KEYS = 1000;
/**
 * How long a view's definition is reused by lookups. Lookups are the hot path (two catalog queries
 * would cost more than the Redis round trip); an apply in this process clears it at once, one in
 * another process is seen within this bound.
 */
const DEFINITION_CACHE_MS = 1000;

interface ViewDefinition {
  name: string;
  /** The provider instance that owns the view's data (whose `features` capability serves it). */
  providerName: string;
  ttlSeconds: number | null;
  featureNames: string[];
}

export class OnlineFeatureService {
  private readonly definitions = new Map<string, { until: number; definition: Promise<ViewDefinition | null> }>();

  constructor(
    private readonly owners: CapabilityLookup,
    private readonly featureViews: FeatureViewService,
    private readonly features: FeatureService,
    private readonly clock: () => Date,
  ) {
    featureViews.onApply(() => this.definitions.clear());
  }

  private definition(name: string, provider: string | null): Promise<ViewDefinition | null> {
    const key = provider === null ? name : `${name}\u0000${provider}`;
    const cached = this.definitions.get(key);
    if (cached && cached.until > performance.now()) return cached.definition;
    const definition = (async () => {
      const view = await this.featureViews.get(name, null, provider);
      if (!view) return null;
      const features = await this.features.byViewIds([view.id]);
      return {
        name: view.name,
        providerName: view.providerName,
        ttlSeconds: view.ttlSeconds,
        featureNames: features.map((feature) => feature.name),
      };
    })();
    this.definitions.set(key, { until: performance.now() + DEFINITION_CACHE_MS, definition });
    // Unknown views and failures are not remembered.
    definition.then(
      (d) => d === null && this.definitions.delete(key),
      () => this.definitions.delete(key),
    );
    return definition;
  }

  /**
   * Latest values of the named features (all of the view's when omitted) for each entity, one
   * round trip to the online store of the view's owner. Unknown entities answer null values; values
   * older than the view's TTL (by the injected clock) are marked stale. An owner without a
   * `features` capability answers NOT_SUPPORTED.
   */
  async lookup(
    featureViewName: string,
    entityKeys: readonly string[],
    featureNames?: readonly string[] | null,
    provider: string | null = null,
  ) {
    if (entityKeys.length > MAX_ENTITY_KEYS) {
      throw new InputError([{ path: 'entityKeys', message: `at most ${MAX_ENTITY_KEYS} entity keys per call` }]);
    }
    const view = await this.definition(featureViewName, provider);
    if (!view) throw new NotFoundError('FeatureView', featureViewName);
    const owner = this.owners.capability(view.providerName, 'features', 'onlineFeatures');
    const known = view.featureNames;
    const unknown = (featureNames ?? []).filter((name) => !known.includes(name));
    if (unknown.length) {
      throw new InputError([{ path: 'features', message: `not features of ${view.name}: ${unknown.join(', ')}` }]);
    }
    const names = featureNames?.length ? [...featureNames] : known;
    const rows = await owner.readOnline(view.name, entityKeys, names);
    const oldest = view.ttlSeconds != null ? this.clock().getTime() - view.ttlSeconds * 1000 : null;
    return rows.map((row, index) => ({
      entityKey: entityKeys[index]!,
      values: row?.values ?? Object.fromEntries(names.map((name) => [name, null])),
      eventTime: row?.eventTime ?? null,
      stale: oldest !== null && row?.eventTime != null && row.eventTime.getTime() < oldest,
    }));
  }
}
