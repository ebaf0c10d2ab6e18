import type { Database } from '../../../platform/database.ts';

export class ProviderRepository {
  constructor(private readonly db: Database) {}

  list() {
    return this.db.provider.findMany({ orderBy: { name: 'asc' } });
  }

  byNames(names: readonly string[]) {
    return this.db.provider.findMany({ where: { name: { in: [...names] } } });
  }
}
