import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { hostname as machineName, networkInterfaces } from 'node:os';

/** How long a model server's host name may take to resolve when it could be this process's own. */
const LOOKUP_TIMEOUT_MS = 1000;

/**
 * Where this process listens, so that a deployment never names Cairn's own router as its model
 * server (one predict would call itself until connections run out). The address is known only after
 * listen (PORT=0 picks the port then): the runtime tells it with `listening`; until then nothing is
 * taken for the own listener.
 */
export class OwnListener {
  private address: { host: string; port: number } | null = null;

  listening(address: { host: string; port: number }): void {
    this.address = address;
  }

  /**
   * True when `url` reaches this process's listener: the same port on a loopback, unspecified or
   * own interface address, on the address it is bound to, or on a name that resolves to one of those
   * (`localhost`, this machine's name, any other name looked up within a short bound). A different
   * port is never taken for this one: a loop through a proxy is stopped by the router's hop limit.
   */
  async reaches(url: URL): Promise<boolean> {
    if (!this.address) return false;
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    if (port !== this.address.port) return false;
    const host = url.hostname
      .replace(/^\[(.*)\]$/, '$1')
      .replace(/\.$/, '')
      .toLowerCase();
    const own = this.ownAddresses();
    if (isIP(host)) return own.check(host, isIP(host) === 6 ? 'ipv6' : 'ipv4');
    if (host === 'localhost' || host.endsWith('.localhost') || host === machineName().toLowerCase()) return true;
    const addresses = await withTimeout(lookup(host, { all: true, verbatim: true }), LOOKUP_TIMEOUT_MS).catch(() => []);
    return addresses.some((a) => own.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'));
  }

  private ownAddresses(): BlockList {
    const own = new BlockList();
    own.addSubnet('127.0.0.0', 8, 'ipv4');
    own.addAddress('0.0.0.0', 'ipv4');
    own.addAddress('::1', 'ipv6');
    own.addAddress('::', 'ipv6');
    const bound = this.address!.host.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bound)) own.addAddress(bound, isIP(bound) === 6 ? 'ipv6' : 'ipv4');
    for (const list of Object.values(networkInterfaces())) {
      for (const iface of list ?? [])
        own.addAddress(iface.address.replace(/%.*$/, ''), iface.family === 'IPv6' ? 'ipv6' : 'ipv4');
    }
    return own;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
