import type { OnlineRow } from './online-store.ts';

/** One validated row of feature values of one entity at one event time. */
export interface FeatureRow {
  entityKey: string;
  eventTime: Date;
  /** Feature name -> value (null where the value is missing). */
  values: Record<string, unknown>;
}

/** Where the last materialization of a feature view left off; opaque to callers but persisted by them. */
export interface MaterializationWatermark {
  /** The provider's ingestion position (the built-in store's row sequence) already materialized. */
  position: string;
  /** The `endTime` of the run that reached `position`. */
  endTime: Date;
}

export interface MaterializeRequest {
  featureView: string;
  /** Latest values as of this time are copied. */
  endTime: Date;
  /** Values older than `endTime - ttlSeconds` are not copied; null: no TTL. */
  ttlSeconds: number | null;
  /** Null on the first run: all history up to `endTime` is considered. */
  since: MaterializationWatermark | null;
  /** Called after each batch written to the online store, for progress logs and quality checks. */
  onBatch?: (rows: FeatureRow[], written: number) => void | Promise<void>;
}

export interface MaterializeResult {
  rowsWritten: number;
  watermark: MaterializationWatermark;
}

/** One feature of a point-in-time join: `column` names it in the result's values. */
export interface JoinFeature {
  featureView: string;
  feature: string;
  column: string;
  ttlSeconds: number | null;
}

export interface PointInTimeJoinRequest {
  /** The rows are stored under this ID, readable later with `readTrainingRows`. */
  datasetId: string;
  entities: { entityKey: string; eventTime: Date }[];
  features: JoinFeature[];
}

export interface TrainingSetResult {
  rowCount: number;
  /** SHA-256 over the rows in order (entity key, event time, values); deterministic for the same data. */
  rowsHash: string;
}

export interface TrainingRow {
  entityKey: string;
  eventTime: Date;
  values: Record<string, unknown>;
}

/**
 * The `features` capability of a provider instance: the data plane of the feature views it owns.
 * Cairn's catalog (views, versions, datasets, audit, lineage) lives above this interface; a
 * provider only moves and reads feature data, addressed by feature view name. The services reach
 * it through the provider registry by the view's owner (`adapters/providers.ts`), so a provider
 * without it answers `NotSupportedError(provider, operation)` before anything is written. The
 * built-in provider's is Postgres (offline history) + the OnlineStore (latest values).
 */
export interface FeatureStoreProvider {
  /** The provider instance name (`builtin`, a cloud instance's name). */
  readonly provider: string;

  /**
   * Ingests rows into the offline history of `featureView`. Idempotent on (entity key, event time):
   * writing the same key again replaces its values, never duplicates it; within one call the last
   * row of a key wins.
   * @returns the number of distinct (entity, event time) rows written.
   * @throws UpstreamUnavailableError when the offline store cannot be reached.
   */
  writeOffline(featureView: string, rows: FeatureRow[]): Promise<{ written: number }>;

  /**
   * Copies, for every entity with history that changed since `since` (or all on the first run),
   * the latest row at or before `endTime` and within TTL to the online store. Never writes an older
   * value over a newer one.
   * @returns rows written to the online store and the watermark to pass as `since` next time.
   * @throws UpstreamUnavailableError when the offline or online store cannot be reached.
   */
  materialize(request: MaterializeRequest): Promise<MaterializeResult>;

  /**
   * Reads the online values of many entities in one round trip.
   * @returns one entry per key in key order: null for an entity never materialized, else the
   * requested features (null where unset) and the event time of the values.
   * @throws UpstreamUnavailableError when the online store cannot be reached.
   */
  readOnline(
    featureView: string,
    entityKeys: readonly string[],
    features: readonly string[],
  ): Promise<(OnlineRow | null)[]>;
}

/**
 * Training sets cut from an offline history by point-in-time joins. Datasets are Cairn's own
 * assets, so this is the built-in store's alone (not a provider capability): it joins the history
 * that `FeatureStoreProvider.writeOffline` of the built-in provider keeps.
 */
export interface TrainingSetProvider {
  /**
   * The as-of join: for each (entity, event time), in input order, each feature's value from the
   * latest row at or before that time and newer than `eventTime - ttl`; null otherwise. Never a
   * later value. Stores the rows under `datasetId`.
   * @returns the row count and the hash of the rows.
   * @throws UpstreamUnavailableError when the offline store cannot be reached.
   */
  pointInTimeJoin(request: PointInTimeJoinRequest): Promise<TrainingSetResult>;

  /**
   * Reads stored training rows in join order.
   * @returns at most `limit` rows starting at `offset` (empty past the end or for an unknown ID).
   */
  readTrainingRows(datasetId: string, offset: number, limit: number): Promise<TrainingRow[]>;

  /** Deletes stored training rows (a join whose dataset was not recorded). Unknown IDs are a no-op. */
  dropTrainingRows(datasetId: string): Promise<void>;
}
