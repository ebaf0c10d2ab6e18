/**
 * The router bench's client, in a process of its own (as real callers are), so that Cairn's event
 * loop and the client's do not share a process. Reads a plan (JSON) from argv[2]: runs of POSTs,
 * each `paired` (two calls measured in alternation) or `single`; prints the figures as JSON.
 */
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { percentile, round, SAMPLES } from './measure.ts';

export interface Call {
  url: string;
  body: string;
}
export type Plan = Record<string, { a: Call; b?: Call }>;

const client = new Agent({ keepAliveTimeout: 30_000, connections: 8 });

async function post(call: Call) {
  const { origin, pathname } = new URL(call.url);
  const response = await client.request({
    origin,
    path: pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: call.body,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200)
    throw new Error(`bench call to ${pathname} answered ${response.statusCode}: ${text.slice(0, 200)}`);
}

const figures = (list: number[]) => {
  const sorted = [...list].sort((x, y) => x - y);
  return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), samples: sorted.length };
};

/**
 * With `b`: a and b alternate (a, b, a, b, …) after a warm-up, so both see the same moments of a
 * noisy machine; `perPair` is b's time minus a's within each pair (what b added to that request).
 */
async function measure(a: Call, b?: Call) {
  const calls = b ? [a, b] : [a];
  for (let i = 0; i < Math.max(50, SAMPLES / 5); i++) for (const call of calls) await post(call);
  const times: number[][] = calls.map(() => []);
  for (let i = 0; i < SAMPLES; i++) {
    for (const [index, call] of calls.entries()) {
      const start = performance.now();
      await post(call);
      times[index]!.push(performance.now() - start);
    }
  }
  if (!b) return { a: figures(times[0]!) };
  return { a: figures(times[0]!), b: figures(times[1]!), perPair: figures(times[1]!.map((t, i) => t - times[0]![i]!)) };
}

const plan = JSON.parse(process.argv[2]!) as Plan;
const results: Record<string, unknown> = {};
for (const [name, { a, b }] of Object.entries(plan)) results[name] = await measure(a, b);
await client.close();
process.stdout.write(JSON.stringify(results));
