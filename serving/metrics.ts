import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** What became of a routed call: the model server answered 2xx, 4xx (the caller's fault), failed (5xx, unreachable, enrichment failed) or timed out. */
export type Outcome = 'success' | 'client_error' | 'error' | 'timeout';

const OUTCOMES: Outcome[] = ['success', 'client_error', 'error', 'timeout'];

/** The children of one (endpoint, deployment, shadow) series, kept so the hot path does no label hashing. */
interface Series {
  requests: Record<Outcome, { inc(): void }>;
  duration: { observe(seconds: number): void };
}

/**
 * The router's Prometheus metrics (prom-client) plus the process's default metrics, served at
 * `GET /metrics`. A registry per router, so several Cairns in one process (tests) do not collide.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'cairn_router_requests_total',
    help: 'Calls routed to a deployment, by endpoint, deployment, shadow (mirrored) or not, and outcome (success, client_error, error, timeout)',
    labelNames: ['endpoint', 'deployment', 'shadow', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'cairn_router_request_duration_seconds',
    help: 'Time from routing a call to its model server answer (enrichment included), by endpoint, deployment and shadow',
    labelNames: ['endpoint', 'deployment', 'shadow'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly rejected = new Counter({
    name: 'cairn_router_rejected_total',
    help: 'Requests answered before reaching any deployment, by error code (NOT_FOUND, NO_LIVE_DEPLOYMENT, BAD_USER_INPUT, PAYLOAD_TOO_LARGE, LOOP_DETECTED)',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly shadowDropped = new Counter({
    name: 'cairn_router_shadow_dropped_total',
    help: 'Mirror calls not made because the shadow concurrency bound was reached, by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  private readonly series = new Map<string, Series>();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observe(endpoint: string, deployment: string, shadow: boolean, outcome: Outcome, seconds: number): void {
    const key = `${endpoint}\u0000${deployment}\u0000${shadow}`;
    let series = this.series.get(key);
    if (!series) {
      const shadowLabel = String(shadow);
      series = {
        requests: Object.fromEntries(
          OUTCOMES.map((o) => [o, this.requests.labels(endpoint, deployment, shadowLabel, o)]),
        ) as Series['requests'],
        duration: this.duration.labels(endpoint, deployment, shadowLabel),
      };
      this.series.set(key, series);
    }
    series.requests[outcome].inc();
    series.duration.observe(seconds);
  }

  reject(code: string): void {
    this.rejected.labels(code).inc();
  }
}
