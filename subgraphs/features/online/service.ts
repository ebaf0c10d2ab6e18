import { InputError, NotFoundError } from '../../../adapters/core/errors.ts';
import type { FeatureStoreProvider } from '../../../adapters/core/feature-store.ts';
import type { FeatureService } from '../feature/service.ts';
import type { FeatureViewService } from '../feature-view/service.ts';

const MAX_ENTITY_KEYS = 1000;

export class OnlineFeatureService {
  constructor(
    private readonly store: FeatureStoreProvider,
    private readonly featureViews: FeatureViewService,
    private readonly features: FeatureService,
    private readonly clock: () => Date,
  ) {}

  /**
   * Latest values of the named features (all of the view's when omitted) for each entity, one store
   * round trip. Unknown entities answer null values; values older than the view's TTL (by the
   * injected clock) are marked stale.
   */
  async lookup(featureViewName: string, entityKeys: readonly string[], featureNames?: readonly string[] | null) {
    if (entityKeys.length > MAX_ENTITY_KEYS) {
      throw new InputError([{ path: 'entityKeys', message: `at most ${MAX_ENTITY_KEYS} entity keys per call` }]);
    }
    const view = await this.featureViews.get(featureViewName);
    if (!view) throw new NotFoundError('FeatureView', featureViewName);
    const known = (await this.features.byViewIds([view.id])).map((feature) => feature.name);
    const unknown = (featureNames ?? []).filter((name) => !known.includes(name));
    if (unknown.length) {
      throw new InputError([{ path: 'features', message: `not features of ${view.name}: ${unknown.join(', ')}` }]);
    }
    const names = featureNames?.length ? [...featureNames] : known;
    const rows = await this.store.readOnline(view.name, entityKeys, names);
    const oldest = view.ttlSeconds != null ? this.clock().getTime() - view.ttlSeconds * 1000 : null;
    return rows.map((row, index) => ({
      entityKey: entityKeys[index]!,
      values: row?.values ?? Object.fromEntries(names.map((name) => [name, null])),
      eventTime: row?.eventTime ?? null,
      stale: oldest !== null && row?.eventTime != null && row.eventTime.getTime() < oldest,
    }));
  }
}
