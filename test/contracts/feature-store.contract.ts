import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeatureStoreProvider, TrainingSetProvider } from '../../adapters/core/feature-store.ts';

/** A store with the `features` capability and the training sets joined from its history (the built-in one). */
type StoreUnderTest = FeatureStoreProvider & TrainingSetProvider;

/**
 * The behaviour every FeatureStoreProvider must have (the built-in one first; cloud adapters run it
 * too). `open` gives a provider over an empty store, shared by the suite's tests, which use distinct view names.
 */
export function featureStoreContract(
  name: string,
  open: () => Promise<{ provider: StoreUnderTest; close(): Promise<void> }>,
) {
  describe(`FeatureStoreProvider contract: ${name}`, () => {
    const t = (hour: number, minute = 0) => new Date(Date.UTC(2026, 0, 1, hour, minute));

    // One store for the suite (opening one can take seconds); each test has its own view names.
    let opened: Awaited<ReturnType<typeof open>> | undefined;
    beforeAll(async () => {
      opened = await open();
    });
    afterAll(async () => {
      await opened?.close();
    });
    const withProvider = (run: (provider: StoreUnderTest) => Promise<void>) => run(opened!.provider);

    it('is idempotent on (entity, event time): a rewrite replaces, never duplicates', () =>
      withProvider(async (p) => {
        expect(
          await p.writeOffline('idem', [
            { entityKey: 'a', eventTime: t(1), values: { x: 1 } },
            { entityKey: 'a', eventTime: t(1), values: { x: 2 } },
          ]),
        ).toEqual({ written: 1 });
        await p.writeOffline('idem', [{ entityKey: 'a', eventTime: t(1), values: { x: 3 } }]);
        await p.pointInTimeJoin({
          datasetId: 'idem-ds',
          entities: [{ entityKey: 'a', eventTime: t(5) }],
          features: [{ featureView: 'idem', feature: 'x', column: 'x', ttlSeconds: null }],
        });
        expect(await p.readTrainingRows('idem-ds', 0, 10)).toEqual([
          { entityKey: 'a', eventTime: t(5), values: { x: 3 } },
        ]);
      }));

    it('joins as of each event time: the latest value at or before it, never a later one, null past TTL', () =>
      withProvider(async (p) => {
        await p.writeOffline('pit', [
          { entityKey: 'a', eventTime: t(1), values: { x: 10, y: 'one' } },
          { entityKey: 'a', eventTime: t(3), values: { x: 30, y: 'three' } },
          { entityKey: 'b', eventTime: t(2), values: { x: 20, y: null } },
        ]);
        const result = await p.pointInTimeJoin({
          datasetId: 'pit-ds',
          entities: [
            { entityKey: 'a', eventTime: t(0) }, // before any value
            { entityKey: 'a', eventTime: t(1) }, // exactly at a value
            { entityKey: 'a', eventTime: t(2, 59) }, // between: the earlier value
            { entityKey: 'b', eventTime: t(5) }, // 3 h after its only value, TTL 2 h
            { entityKey: 'zz', eventTime: t(5) }, // unknown entity
          ],
          features: [
            { featureView: 'pit', feature: 'x', column: 'pit:x', ttlSeconds: 7200 },
            { featureView: 'pit', feature: 'y', column: 'pit:y', ttlSeconds: 7200 },
          ],
        });
        expect(result.rowCount).toBe(5);
        expect((await p.readTrainingRows('pit-ds', 0, 10)).map((r) => [r.entityKey, r.values])).toEqual([
          ['a', { 'pit:x': null, 'pit:y': null }],
          ['a', { 'pit:x': 10, 'pit:y': 'one' }],
          ['a', { 'pit:x': 10, 'pit:y': 'one' }],
          ['b', { 'pit:x': null, 'pit:y': null }],
          ['zz', { 'pit:x': null, 'pit:y': null }],
        ]);
        expect((await p.readTrainingRows('pit-ds', 3, 10)).map((r) => r.entityKey)).toEqual(['b', 'zz']);
      }));

    it('hashes the same rows the same way, and different rows differently', () =>
      withProvider(async (p) => {
        await p.writeOffline('hash', [{ entityKey: 'a', eventTime: t(1), values: { x: 1.5 } }]);
        const request = (datasetId: string) => ({
          datasetId,
          entities: [{ entityKey: 'a', eventTime: t(2) }],
          features: [{ featureView: 'hash', feature: 'x', column: 'x', ttlSeconds: null }],
        });
        const first = await p.pointInTimeJoin(request('h1'));
        const second = await p.pointInTimeJoin(request('h2'));
        expect(second.rowsHash).toBe(first.rowsHash);
        await p.writeOffline('hash', [{ entityKey: 'a', eventTime: t(1, 30), values: { x: 2.5 } }]);
        expect((await p.pointInTimeJoin(request('h3'))).rowsHash).not.toBe(first.rowsHash);
        await p.dropTrainingRows('h3');
        expect(await p.readTrainingRows('h3', 0, 10)).toEqual([]);
      }));

    it('materializes the latest value per entity as of endTime within TTL, then only what changed', () =>
      withProvider(async (p) => {
        await p.writeOffline('mat', [
          { entityKey: 'a', eventTime: t(1), values: { x: 1 } },
          { entityKey: 'a', eventTime: t(2), values: { x: 2 } },
          { entityKey: 'a', eventTime: t(9), values: { x: 9 } }, // after endTime: not yet
          { entityKey: 'old', eventTime: t(0), values: { x: 0 } }, // outside the TTL at endTime
        ]);
        const first = await p.materialize({ featureView: 'mat', endTime: t(3), ttlSeconds: 7200, since: null });
        expect(first.rowsWritten).toBe(1);
        expect(await p.readOnline('mat', ['a', 'old', 'nobody'], ['x'])).toEqual([
          { entityKey: 'a', values: { x: 2 }, eventTime: t(2) },
          null,
          null,
        ]);

        // Nothing changed: nothing to write.
        expect(
          (await p.materialize({ featureView: 'mat', endTime: t(3), ttlSeconds: 7200, since: first.watermark }))
            .rowsWritten,
        ).toBe(0);
        // A late row for b, and an endTime that takes in a's row at 09:00.
        await p.writeOffline('mat', [{ entityKey: 'b', eventTime: t(2, 30), values: { x: 5 } }]);
        const seen: string[] = [];
        const third = await p.materialize({
          featureView: 'mat',
          endTime: t(10),
          ttlSeconds: 7200,
          since: first.watermark,
          onBatch: (rows) => {
            seen.push(...rows.map((r) => r.entityKey));
          },
        });
        expect(seen.sort()).toEqual(['a']); // b's 02:30 value is older than 10:00 - TTL
        expect(third.rowsWritten).toBe(1);
        expect(await p.readOnline('mat', ['a'], ['x'])).toEqual([
          { entityKey: 'a', values: { x: 9 }, eventTime: t(9) },
        ]);
      }));
  });
}
