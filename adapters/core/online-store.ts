/** The latest values of one entity of one feature view, as the online store holds them. */
export interface OnlineRow {
  entityKey: string;
  values: Record<string, unknown>;
  eventTime: Date | null;
}

/**
 * Low-latency key-value store for the latest feature values per entity. The Redis store and the
 * in-process store of the embedded default implement it and pass the same contract tests.
 */
export interface OnlineStore {
  readonly kind: 'redis' | 'memory';
  /**
   * Writes rows of one feature view in one round trip. Each row replaces the named features of its
   * entity (features not named keep their values). An older `eventTime` never overwrites a newer one.
   */
  write(featureView: string, rows: OnlineRow[]): Promise<void>;
  /**
   * Reads many entities in one round trip. Answers one entry per key, in key order: null for an
   * entity the store has never seen, otherwise only the requested features (null where unset).
   */
  read(featureView: string, entityKeys: readonly string[], features: readonly string[]): Promise<(OnlineRow | null)[]>;
  /** Throws UpstreamUnavailableError when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
