import type { OnlineRow, OnlineStore } from '../../core/online-store.ts';

interface Entry {
  values: Map<string, unknown>;
  eventTime: Date | null;
}

/** The embedded default's online store: a Map per feature view, same semantics as Redis. */
export class MemoryOnlineStore implements OnlineStore {
  readonly kind = 'memory' as const;
  private readonly views = new Map<string, Map<string, Entry>>();

  async write(featureView: string, rows: OnlineRow[]): Promise<void> {
    let view = this.views.get(featureView);
    if (!view) this.views.set(featureView, (view = new Map()));
    for (const row of rows) {
      const entry = view.get(row.entityKey);
      if (entry && isOlder(row.eventTime, entry.eventTime)) continue;
      const values = entry?.values ?? new Map<string, unknown>();
      for (const [name, value] of Object.entries(row.values)) values.set(name, copyOf(value));
      view.set(row.entityKey, { values, eventTime: row.eventTime ?? entry?.eventTime ?? null });
    }
  }

  async read(featureView: string, entityKeys: readonly string[], features: readonly string[]) {
    const view = this.views.get(featureView);
    return entityKeys.map((entityKey) => {
      const entry = view?.get(entityKey);
      if (!entry) return null;
      const values = Object.fromEntries(features.map((name) => [name, copyOf(entry.values.get(name) ?? null)]));
      return { entityKey, values, eventTime: entry.eventTime };
    });
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.views.clear();
  }
}

export function isOlder(candidate: Date | null, current: Date | null): boolean {
  return candidate !== null && current !== null && candidate.getTime() < current.getTime();
}

/** Callers never share an object with the store; scalars need no copy (structuredClone of each was the lookup's largest cost). */
function copyOf(value: unknown): unknown {
  return value !== null && typeof value === 'object' ? structuredClone(value) : value;
}
