import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { MemoryOnlineStore } from '../adapters/builtin/online-store/memory.ts';
import { RedisOnlineStore } from '../adapters/builtin/online-store/redis.ts';
import { onlineStoreContract } from './contracts/online-store.contract.ts';

onlineStoreContract('in-process', async () => new MemoryOnlineStore());

const redisUrl = process.env.REDIS_URL;
onlineStoreContract(
  'Redis',
  () => RedisOnlineStore.connect(redisUrl!, { prefix: `cairn-test:${randomBytes(4).toString('hex')}` }),
  { skip: redisUrl ? undefined : 'REDIS_URL is not set' },
);

it('reports an unreachable Redis as UPSTREAM_UNAVAILABLE without its password', async () => {
  const error = await RedisOnlineStore.connect('redis://user:hunter2@127.0.0.1:1').catch((e: unknown) => e);
  expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  expect(String((error as Error).message)).not.toContain('hunter2');
});
