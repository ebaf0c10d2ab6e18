import { Socket } from 'node:net';
import { isIP } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, type TestCairn } from '../testkit.ts';

/** Hosts a connection may go to from a test: the loopback addresses and the local services. */
function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host.startsWith('::ffff:127.');
  return false;
}

describe('outbound connections of a running Cairn', () => {
  const attempts: string[] = [];
  const original = Socket.prototype.connect;
  let cairn: TestCairn;

  beforeAll(async () => {
    // Every TCP connection this process opens passes here (http, fetch/undici, pg, redis), so a call
    // home or a cloud metadata probe by any library is seen before a packet is sent; it is refused.
    Socket.prototype.connect = function (this: Socket, ...args: any[]) {
      // Node's own callers (http, net.connect) pass their normalized arguments as one array.
      const first = Array.isArray(args[0]) ? args[0][0] : args[0];
      if (typeof first === 'object' && first?.path && !first.host) return original.apply(this, args as never);
      const host =
        typeof first === 'object' && first !== null
          ? (first.host ?? 'localhost')
          : typeof args[1] === 'string'
            ? args[1]
            : 'localhost';
      if (!isLoopback(String(host))) {
        attempts.push(String(host));
        this.destroy(new Error(`test refused a connection to ${host}`));
        return this;
      }
      return original.apply(this, args as never);
    } as typeof original;
    cairn = await startTestCairn();
  });

  afterAll(async () => {
    await cairn?.close();
    Socket.prototype.connect = original;
  });

  it('opens none off loopback: no usage reporting, no cloud metadata probe by the gateway library', async () => {
    await cairn.data('{ providers { name } }');
    // The gateway library's exporter and its host detectors start within the first second.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(attempts).toEqual([]);
  });
});
