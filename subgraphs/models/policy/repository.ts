import type { Database, Transaction } from '../../../platform/database.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';

export class PolicyRepository {
  constructor(private readonly db: Database) {}

  latest(tx: Transaction | Database, name: string) {
    return tx.policy.findFirst({ where: { name }, orderBy: { version: 'desc' } });
  }

  create(tx: Transaction, data: Prisma.PolicyUncheckedCreateInput) {
    return tx.policy.create({ data });
  }

  /** The version in force of every policy: the highest version of each name, when enabled. */
  async current() {
    const rows = await this.db.policy.findMany({ distinct: ['name'], orderBy: [{ name: 'asc' }, { version: 'desc' }] });
    return rows.filter((p) => p.enabled);
  }

  history(name: string) {
    return this.db.policy.findMany({ where: { name }, orderBy: { version: 'desc' } });
  }
}
