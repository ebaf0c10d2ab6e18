import type { Database, Transaction } from '../../../adapters/builtin/database.ts';

export interface NewFeatureView {
  id: string;
  providerName: string;
  name: string;
  version: number;
  entity: string;
  joinKey: string;
  ttlSeconds: number | null;
  owner: string | null;
  description: string | null;
  tags: string[];
  definitionHash: string;
  nativeId: string;
  features: { id: string; name: string; dtype: string; description: string | null; position: number }[];
}

export class FeatureViewRepository {
  constructor(private readonly db: Database) {}

  latest(tx: Transaction, providerName: string, name: string) {
    return tx.featureView.findFirst({ where: { providerName, name }, orderBy: { version: 'desc' } });
  }

  find(name: string, version?: number | null, providerName?: string | null) {
    return this.db.featureView.findFirst({
      where: { name, ...(version != null ? { version } : {}), ...(providerName ? { providerName } : {}) },
      orderBy: { version: 'desc' },
    });
  }

  byIds(ids: readonly string[]) {
    return this.db.featureView.findMany({ where: { id: { in: [...ids] } } });
  }

  create(tx: Transaction, view: NewFeatureView) {
    const { features, ...row } = view;
    return tx.featureView.create({ data: { ...row, features: { create: features } } });
  }
}
