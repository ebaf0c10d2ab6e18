import type { DeploymentStats, DeploymentStatsSource } from '../adapters/core/deployment.ts';

/** Upper bounds (ms) of the latency histogram kept per second; the last bucket is open-ended. */
export const LATENCY_BOUNDS_MS = [
  0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000,
];

// One bucket's layout in its Float64Array: [second, requests, errors, maxMs, histogram...].
const SECOND = 0;
const REQUESTS = 1;
const ERRORS = 2;
const MAX_MS = 3;
const HISTOGRAM = 4;
const BUCKET_SIZE = HISTOGRAM + LATENCY_BOUNDS_MS.length + 1;

export interface DeploymentStatsRecorderOptions {
  /** Now in epoch milliseconds; tests inject theirs. */
  now?: () => number;
  /** How far back `statsSince` can see, in seconds (default one hour). */
  windowSeconds?: number;
}

/**
 * Per-deployment requests, errors and latency histograms in one-second buckets over a fixed window
 * (a ring per deployment, reused in place): memory depends on the deployments that served during
 * the window, never on the traffic. Canary analysis reads it through `statsSince`.
 */
export class DeploymentStatsRecorder implements DeploymentStatsSource {
  private readonly rings = new Map<string, Float64Array>();
  private readonly now: () => number;
  private readonly window: number;
  private lastPrune = 0;

  constructor(options: DeploymentStatsRecorderOptions = {}) {
    this.now = options.now ?? Date.now;
    this.window = options.windowSeconds ?? 3600;
  }

  /** Records one call a deployment served (live or mirrored): its latency and whether it failed. */
  record(deploymentId: string, latencyMs: number, failed: boolean): void {
    const second = Math.floor(this.now() / 1000);
    let ring = this.rings.get(deploymentId);
    if (!ring) {
      ring = new Float64Array(this.window * BUCKET_SIZE);
      for (let i = 0; i < this.window; i++) ring[i * BUCKET_SIZE + SECOND] = -1;
      this.rings.set(deploymentId, ring);
    }
    const offset = (second % this.window) * BUCKET_SIZE;
    if (ring[offset + SECOND] !== second) {
      ring.fill(0, offset, offset + BUCKET_SIZE);
      ring[offset + SECOND] = second;
    }
    ring[offset + REQUESTS]! += 1;
    if (failed) ring[offset + ERRORS]! += 1;
    if (latencyMs > ring[offset + MAX_MS]!) ring[offset + MAX_MS] = latencyMs;
    ring[offset + HISTOGRAM + bucketOf(latencyMs)]! += 1;
    if (second - this.lastPrune >= 60) this.prune(second);
  }

  statsSince(deploymentIds: string[], since: Date): Map<string, DeploymentStats> {
    const nowSecond = Math.floor(this.now() / 1000);
    const from = Math.max(Math.floor(since.getTime() / 1000), nowSecond - this.window + 1);
    const answer = new Map<string, DeploymentStats>();
    for (const id of deploymentIds) {
      const ring = this.rings.get(id);
      let requests = 0;
      let errors = 0;
      let maxMs = 0;
      const histogram = new Array<number>(LATENCY_BOUNDS_MS.length + 1).fill(0);
      if (ring) {
        for (let offset = 0; offset < ring.length; offset += BUCKET_SIZE) {
          const second = ring[offset + SECOND]!;
          if (second < from || second > nowSecond) continue;
          requests += ring[offset + REQUESTS]!;
          errors += ring[offset + ERRORS]!;
          maxMs = Math.max(maxMs, ring[offset + MAX_MS]!);
          for (let b = 0; b < histogram.length; b++) histogram[b]! += ring[offset + HISTOGRAM + b]!;
        }
      }
      answer.set(id, { requests, errors, latencyP99Ms: requests ? quantile(histogram, requests, 0.99, maxMs) : null });
    }
    return answer;
  }

  /** Forgets deployments that served nothing during the window (retired ones, say). */
  private prune(nowSecond: number): void {
    this.lastPrune = nowSecond;
    for (const [id, ring] of this.rings) {
      let newest = -1;
      for (let offset = 0; offset < ring.length; offset += BUCKET_SIZE)
        newest = Math.max(newest, ring[offset + SECOND]!);
      if (newest <= nowSecond - this.window) this.rings.delete(id);
    }
  }
}

function bucketOf(latencyMs: number): number {
  for (let i = 0; i < LATENCY_BOUNDS_MS.length; i++) if (latencyMs <= LATENCY_BOUNDS_MS[i]!) return i;
  return LATENCY_BOUNDS_MS.length;
}

/** The q-quantile from a histogram, interpolated inside its bucket and never above the largest value seen. */
function quantile(histogram: number[], total: number, q: number, maxMs: number): number {
  const rank = q * total;
  let seen = 0;
  for (let b = 0; b < histogram.length; b++) {
    const count = histogram[b]!;
    if (count === 0) continue;
    if (seen + count >= rank) {
      const lower = b === 0 ? 0 : LATENCY_BOUNDS_MS[b - 1]!;
      const upper = b < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[b]! : maxMs;
      const value = lower + ((rank - seen) / count) * (upper - lower);
      return Math.round(Math.min(value, maxMs) * 1000) / 1000;
    }
    seen += count;
  }
  return maxMs;
}
