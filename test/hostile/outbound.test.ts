import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refuseConnectionsOffLoopback, startTestCairn, type TestCairn } from '../testkit.ts';

describe('outbound connections of a running Cairn', () => {
  let guard: ReturnType<typeof refuseConnectionsOffLoopback>;
  let cairn: TestCairn;

  beforeAll(async () => {
    // A call home or a cloud metadata probe by any library is seen, and refused, before a packet is sent.
    guard = refuseConnectionsOffLoopback();
    cairn = await startTestCairn();
  });

  afterAll(async () => {
    await cairn?.close();
    guard.restore();
  });

  it('opens none off loopback: no usage reporting, no cloud metadata probe by the gateway library', async () => {
    await cairn.data('{ providers { name } }');
    // The gateway library's exporter and its host detectors start within the first second.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(guard.attempts).toEqual([]);
  });
});
