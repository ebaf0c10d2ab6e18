import type { Database } from '../../platform/database.ts';

/** The name of the built-in provider instance: Cairn's own registry, Postgres offline and Redis online store. */
export const BUILTIN_PROVIDER = 'builtin';

/** The built-in provider is always configured; its catalog row is created on first start. */
export async function ensureBuiltinProvider(db: Database): Promise<void> {
  await db.provider.upsert({
    where: { name: BUILTIN_PROVIDER },
    create: { name: BUILTIN_PROVIDER, kind: 'BUILTIN', status: 'OK' },
    update: {},
  });
}
