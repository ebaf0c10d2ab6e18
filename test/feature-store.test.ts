import { randomBytes } from 'node:crypto';
import { connectDatabase, startDatabase } from '../platform/database.ts';
import { BuiltinFeatureStoreProvider } from '../adapters/builtin/feature-store.ts';
import { MemoryOnlineStore } from '../adapters/builtin/online-store/memory.ts';
import { RedisOnlineStore } from '../adapters/builtin/online-store/redis.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { featureStoreContract } from './contracts/feature-store.contract.ts';
import { scratchDatabase } from './testkit.ts';

featureStoreContract(
  `built-in (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'} + ${process.env.REDIS_URL ? 'Redis' : 'in-process'})`,
  async () => {
    const scratch = await scratchDatabase();
    const server = await startDatabase({ databaseUrl: scratch.url, dataDir: scratch.dataDir });
    await applyMigrations(server.url, { log: () => {} });
    const clients = connectDatabase(server);
    const online = process.env.REDIS_URL
      ? await RedisOnlineStore.connect(process.env.REDIS_URL, {
          prefix: `cairn-test:${randomBytes(4).toString('hex')}`,
        })
      : new MemoryOnlineStore();
    return {
      provider: new BuiltinFeatureStoreProvider(clients.db, clients.pool, online, {
        writeConcurrency: server.poolSize > 1 ? 2 : 1,
      }),
      close: async () => {
        await (online as { clear?: () => Promise<void> }).clear?.();
        await online.close();
        await clients.close();
        await server.close();
        await scratch.drop();
      },
    };
  },
);
