import type { Database } from '../../../platform/database.ts';

export class EndpointRepository {
  constructor(private readonly db: Database) {}

  byIds(ids: readonly string[]) {
    return this.db.endpoint.findMany({ where: { id: { in: [...ids] } } });
  }

  /** A page of endpoints, by provider then name. */
  list(providerName: string | null, first: number, offset: number) {
    return this.db.endpoint.findMany({
      where: providerName ? { providerName } : {},
      orderBy: [{ providerName: 'asc' }, { name: 'asc' }],
      take: first,
      skip: offset,
    });
  }
}
