/** What /readyz answers: each part's state ('ok' or why not). */
export interface ReadinessReport {
  ok: boolean;
  checks: Record<string, string>;
}

/**
 * Runs every check at once, each within `timeoutMs`: a hung part (a remote subgraph that accepts
 * connections and never answers, a Redis that is gone) costs the bound, never more, and is named.
 */
export async function checkReadiness(
  checks: Record<string, () => Promise<unknown>>,
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, string]> => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      });
      try {
        return [
          name,
          await Promise.race([
            check().then(
              () => 'ok',
              () => 'unreachable',
            ),
            timeout,
          ]),
        ];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: results.every(([, state]) => state === 'ok'), checks: Object.fromEntries(results) };
}

/** A subgraph served elsewhere is ready when it answers `{ __typename }` (as the gateway's caller would reach it). */
export function subgraphAnswers(url: string, timeoutMs: number): () => Promise<void> {
  return async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cairn-actor': 'cairn-readiness' },
      body: '{"query":"{ __typename }"}',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { data?: { __typename?: string } };
    if (!response.ok || body.data?.__typename !== 'Query') throw new Error(`answered ${response.status}`);
  };
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

/**
 * The Host header check against DNS rebinding: a page on an attacker's name that resolves to this
 * machine must not reach Cairn. Allowed: the loopback names, HOST, the extra names
 * (CAIRN_ALLOWED_HOSTS), any `*.localhost`, and IP literals (a browser that sends an address as
 * Host came for that address, not for a name an attacker controls). No Host at all (HTTP/1.0,
 * not a browser) is allowed too.
 */
export function hostAllowed(listenHost: string, extra: readonly string[]): (header: string | undefined) => boolean {
  const names = new Set([...LOOPBACK_NAMES, listenHost, ...extra].map((name) => bracketed(name.toLowerCase())));
  return (header) => {
    if (header === undefined) return true;
    const name = hostName(header.toLowerCase());
    if (name === null) return false;
    return names.has(name) || name.endsWith('.localhost') || isIpLiteral(name);
  };
}

function bracketed(name: string): string {
  return name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
}

/** The name of a Host header without its port; null when it is not a host at all. */
function hostName(header: string): string | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::\d{1,5})?$/.exec(header.trim());
  return match ? match[1]! : null;
}

function isIpLiteral(name: string): boolean {
  return name.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(name);
}
