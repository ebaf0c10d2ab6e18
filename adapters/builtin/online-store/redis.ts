import { createHash } from 'node:crypto';
import { createClient, type RedisClientType } from 'redis';
import { UpstreamUnavailableError } from '../../../platform/errors.ts';
import type { OnlineRow, OnlineStore } from '../../core/online-store.ts';

const EVENT_TIME = '__event_time';
/** Bound on one batch of commands (a read or a write of many entities). */
const BATCH_TIMEOUT_MS = 5000;

/**
 * Writes one entity's features unless the stored event time is newer; atomic in Redis, so two
 * materializations racing never leave an older value on top of a newer one.
 * KEYS[1] = entity hash; ARGV[1] = event time in ms or ''; ARGV[2..] = field, value pairs.
 * The event-time field is always present, so its absence alone means "unknown entity".
 */
const WRITE_ROW = `
local stored = redis.call('HGET', KEYS[1], '${EVENT_TIME}')
if stored and stored ~= '' and ARGV[1] ~= '' and tonumber(ARGV[1]) < tonumber(stored) then return 0 end
if ARGV[1] ~= '' or not stored then redis.call('HSET', KEYS[1], '${EVENT_TIME}', ARGV[1]) end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`;
const WRITE_ROW_SHA = createHash('sha1').update(WRITE_ROW).digest('hex');

/**
 * The online store on Redis: one hash per (feature view, entity), feature values JSON-encoded.
 * Commands issued together are pipelined by the client, so a batch is one round trip.
 */
export class RedisOnlineStore implements OnlineStore {
  readonly kind = 'redis' as const;

  private constructor(
    private readonly client: RedisClientType,
    private readonly prefix: string,
  ) {}

  static async connect(url: string, options: { prefix?: string } = {}): Promise<RedisOnlineStore> {
    let connected = false;
    const client: RedisClientType = createClient({
      url,
      // No per-command timer (the client's default arms one AbortSignal.timeout per command, a
      // measurable cost on a 100-entity lookup); `guard` bounds each whole batch instead.
      commandOptions: { timeout: 0 },
      socket: {
        connectTimeout: 5000,
        // Keep reconnecting once the store has been up; at start, give up after a few tries.
        reconnectStrategy: (retries: number, cause: Error) =>
          !connected && retries >= 2 ? cause : Math.min(retries * 100, 2000),
      },
    });
    client.on('error', () => {
      // Reconnection is the client's job; callers see failures as UpstreamUnavailableError.
    });
    try {
      await client.connect();
      connected = true;
    } catch (error) {
      throw new UpstreamUnavailableError('redis', 'cannot connect to the online store', { cause: error });
    }
    return new RedisOnlineStore(client, options.prefix ?? 'cairn:online');
  }

  private key(featureView: string, entityKey: string): string {
    return `${this.prefix}:${featureView}:${entityKey}`;
  }

  async write(featureView: string, rows: OnlineRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.guard(async () => {
      const scripted = rows.map((row) => {
        const args = [row.eventTime ? String(row.eventTime.getTime()) : ''];
        for (const [name, value] of Object.entries(row.values)) args.push(`f:${name}`, JSON.stringify(value ?? null));
        return { keys: [this.key(featureView, row.entityKey)], arguments: args };
      });
      try {
        await Promise.all(scripted.map((options) => this.client.evalSha(WRITE_ROW_SHA, options)));
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
        await Promise.all(scripted.map((options) => this.client.eval(WRITE_ROW, options)));
      }
    });
  }

  async read(featureView: string, entityKeys: readonly string[], features: readonly string[]) {
    const fields = [EVENT_TIME, ...features.map((name) => `f:${name}`)];
    const replies = await this.guard(() =>
      Promise.all(entityKeys.map((entityKey) => this.client.hmGet(this.key(featureView, entityKey), fields))),
    );
    return replies.map((reply, index): OnlineRow | null => {
      const [eventTime, ...values] = reply;
      if (eventTime == null) return null;
      return {
        entityKey: entityKeys[index]!,
        eventTime: eventTime ? new Date(Number(eventTime)) : null,
        values: Object.fromEntries(
          features.map((name, i) => [name, values[i] == null ? null : JSON.parse(String(values[i]))]),
        ),
      };
    });
  }

  async ping(): Promise<void> {
    // Without a connection the client would hold the command until it reconnects: say so at once.
    if (!this.client.isReady) throw new UpstreamUnavailableError('redis', 'not connected to the online store');
    await this.guard(() => this.client.ping());
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }

  /** Deletes every key under this store's prefix (tests use their own prefix). */
  async clear(): Promise<void> {
    for await (const keys of this.client.scanIterator({ MATCH: `${this.prefix}:*`, COUNT: 500 })) {
      if (keys.length) await this.client.del(keys);
    }
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${BATCH_TIMEOUT_MS} ms`)), BATCH_TIMEOUT_MS);
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      throw new UpstreamUnavailableError('redis', 'online store request failed', { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
