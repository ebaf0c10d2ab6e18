import { describe, expect, it } from 'vitest';
import type { OnlineStore } from '../../adapters/core/online-store.ts';

/**
 * The behaviour every OnlineStore must have. Each implementation's test file calls this with a
 * factory that gives a fresh, empty store.
 */
export function onlineStoreContract(
  name: string,
  open: () => Promise<OnlineStore & { clear?: () => Promise<void> }>,
  options: { skip?: string } = {},
) {
  describe.skipIf(Boolean(options.skip))(
    `OnlineStore contract: ${name}${options.skip ? ` (skipped: ${options.skip})` : ''}`,
    () => {
      const t1 = new Date('2026-01-01T10:00:00Z');
      const t2 = new Date('2026-01-01T11:00:00Z');

      async function withStore(run: (store: OnlineStore) => Promise<void>) {
        const store = await open();
        try {
          await run(store);
        } finally {
          await (store as { clear?: () => Promise<void> }).clear?.();
          await store.close();
        }
      }

      it('reads back what it wrote, in key order, with null for unknown entities', () =>
        withStore(async (store) => {
          await store.write('driver_stats', [
            { entityKey: 'd1', values: { trips: 3, rating: 4.5, tags: ['a'] }, eventTime: t1 },
            { entityKey: 'd2', values: { trips: 7, rating: null }, eventTime: t2 },
          ]);
          const rows = await store.read('driver_stats', ['d2', 'missing', 'd1'], ['trips', 'rating', 'tags']);
          expect(rows).toEqual([
            { entityKey: 'd2', values: { trips: 7, rating: null, tags: null }, eventTime: t2 },
            null,
            { entityKey: 'd1', values: { trips: 3, rating: 4.5, tags: ['a'] }, eventTime: t1 },
          ]);
        }));

      it('keeps feature views apart', () =>
        withStore(async (store) => {
          await store.write('a', [{ entityKey: 'k', values: { x: 1 }, eventTime: t1 }]);
          expect(await store.read('b', ['k'], ['x'])).toEqual([null]);
        }));

      it('never lets an older event time overwrite a newer value', () =>
        withStore(async (store) => {
          await store.write('v', [{ entityKey: 'k', values: { x: 2 }, eventTime: t2 }]);
          await store.write('v', [{ entityKey: 'k', values: { x: 1 }, eventTime: t1 }]);
          expect(await store.read('v', ['k'], ['x'])).toEqual([{ entityKey: 'k', values: { x: 2 }, eventTime: t2 }]);
        }));

      it('updates the named features and keeps the others', () =>
        withStore(async (store) => {
          await store.write('v', [{ entityKey: 'k', values: { x: 1, y: 'a' }, eventTime: t1 }]);
          await store.write('v', [{ entityKey: 'k', values: { x: 5 }, eventTime: t2 }]);
          expect(await store.read('v', ['k'], ['x', 'y'])).toEqual([
            { entityKey: 'k', values: { x: 5, y: 'a' }, eventTime: t2 },
          ]);
        }));

      it('knows an entity written without an event time', () =>
        withStore(async (store) => {
          await store.write('v', [{ entityKey: 'k', values: { x: true }, eventTime: null }]);
          expect(await store.read('v', ['k'], ['x', 'unset'])).toEqual([
            { entityKey: 'k', values: { x: true, unset: null }, eventTime: null },
          ]);
        }));

      it('answers a batch of a thousand entities', () =>
        withStore(async (store) => {
          const keys = Array.from({ length: 1000 }, (_, i) => `e${i}`);
          await store.write(
            'big',
            keys.map((entityKey, i) => ({ entityKey, values: { n: i }, eventTime: t1 })),
          );
          const rows = await store.read('big', keys, ['n']);
          expect(rows.map((row) => row?.values.n)).toEqual(keys.map((_, i) => i));
        }));

      it('answers ping while reachable', () => withStore((store) => store.ping()));
    },
  );
}
