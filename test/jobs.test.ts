import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, waitFor, type TestCairn } from './testkit.ts';

let cairn: TestCairn;
beforeAll(async () => {
  cairn = await startTestCairn();
});
afterAll(async () => {
  await cairn?.close();
});

describe('the durable job queue', () => {
  it('runs a job, and retries one whose handler failed', async () => {
    const seen: { id: string; attempt: number; value: number }[] = [];
    let failures = 1;
    await cairn.jobs.work<{ value: number }>(
      'test-retry',
      async (job) => {
        seen.push({ id: job.id, attempt: seen.filter((s) => s.id === job.id).length + 1, value: job.data.value });
        if (failures-- > 0) throw new Error('first attempt fails');
      },
      { pollingIntervalSeconds: 0.5 },
    );
    const id = await cairn.jobs.send('test-retry', { value: 7 }, { retryDelaySeconds: 1, retryBackoff: false });
    expect(id).toBeTruthy();
    await waitFor(async () => (seen.length >= 2 ? true : undefined), { timeoutMs: 15_000, intervalMs: 50 });
    expect(seen).toEqual([
      { id, attempt: 1, value: 7 },
      { id, attempt: 2, value: 7 },
    ]);
  });

  it('enqueues inside a transaction only when it commits', async () => {
    const seen: number[] = [];
    await cairn.jobs.work<{ value: number }>(
      'test-outbox',
      async (job) => {
        seen.push(job.data.value);
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await cairn.db
      .$transaction(async (tx) => {
        await cairn.jobs.send('test-outbox', { value: 1 }, { transaction: tx });
        throw new Error('roll back');
      })
      .catch(() => {});
    await cairn.db.$transaction(async (tx) => {
      await cairn.jobs.send('test-outbox', { value: 2 }, { transaction: tx });
    });
    await waitFor(async () => (seen.length >= 1 ? true : undefined), { timeoutMs: 15_000, intervalMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(seen).toEqual([2]);
  });
});
