/** What every bench section uses to time things and talk to a Cairn. */
import { performance } from 'node:perf_hooks';

export const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 500);
const WARMUP = Math.max(50, Math.floor(SAMPLES / 5));

export const round = (n: number) => Math.round(n * 1000) / 1000;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** p50 and p99 of `run` over SAMPLES calls, after a warm-up. */
export async function latency(run: () => Promise<unknown>) {
  for (let i = 0; i < WARMUP; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { p50Ms: round(percentile(times, 50)), p99Ms: round(percentile(times, 99)), samples: SAMPLES };
}

/** POSTs a GraphQL operation to `endpoint` and answers `data`; any error fails the bench. */
export async function post(endpoint: string, query: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(`bench query failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}
