import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import type { Database } from '../platform/database.ts';
import { log } from '../platform/log.ts';
import { problemPath, textProblem, untrustedValueProblem } from '../platform/untrusted-input.ts';
import { enrichInfer, enrichPredict, type FeatureOwners, type OnlineFeatureSource } from './enrichment.ts';
import { RouterError } from './errors.ts';
import { FeatureViewDefinitions } from './feature-views.ts';
import { RouterMetrics, type Outcome } from './metrics.ts';
import { pickLive, RoutingTables, type RouteTarget, type RoutingTable } from './routing-table.ts';
import { DeploymentStatsRecorder } from './stats.ts';

export interface InferenceRouterOptions {
  db: Database;
  /**
   * The provider instances (`ProviderRegistry`): enrichment reads a view's online values through the
   * `features` capability of the view's provider, in one batched read per request.
   */
  features: FeatureOwners;
  /** Bound on a model server's answer: headers, then each pause in its body (CAIRN_ROUTER_TIMEOUT_MS). */
  timeoutMs: number;
  /** Largest request body accepted (CAIRN_ROUTER_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /** Mirror calls in flight at once; past it mirrors are dropped, never queued (CAIRN_ROUTER_SHADOW_CONCURRENCY). */
  shadowConcurrency: number;
  /** How long an endpoint's routing table is reused (default 1 s; `invalidate` clears it at once). */
  tableTtlMs?: number;
  /** How long a feature view's definition is reused by enrichment (default 1 s; `invalidateFeatureViews` clears them). */
  definitionTtlMs?: number;
  clock?: () => Date;
  /** Where calls are recorded for canary analysis; a recorder shared with the deployments provider, or a new one on `clock`. */
  stats?: DeploymentStatsRecorder;
}

/** The two request shapes: a plain JSON predict body, and an Open Inference Protocol v2 infer body. */
export type Protocol = 'predict' | 'v2';

export const ROUTING_KEY_HEADER = 'x-cairn-routing-key';
export const DEPLOYMENT_HEADER = 'x-cairn-deployment';
/**
 * How many Cairn routers a call has passed through: each forward (live, mirrored, metadata) sends
 * one more than it received. A deployment whose model server is a Cairn endpoint (its own, through
 * any name or proxy, or another Cairn routing back) would otherwise loop until connections run out.
 */
export const HOPS_HEADER = 'x-cairn-hops';
/** A call that already passed this many routers is refused (508 LOOP_DETECTED): chains of up to 5 Cairns work. */
export const MAX_HOPS = 5;

interface Upstream {
  status: number;
  contentType: string;
  body: Buffer;
}

interface ParsedRequest {
  raw: Buffer;
  body: Record<string, unknown>;
}

/**
 * The built-in inference router: routes predict and v2 infer calls of a built-in endpoint to its
 * deployments' model servers by the live split, mirrors shadow traffic after answering, enriches
 * requests with online features and records every call (Prometheus metrics and the per-deployment
 * window that canary analysis reads through `stats`).
 */
export class InferenceRouter {
  readonly stats: DeploymentStatsRecorder;
  readonly metrics = new RouterMetrics();
  private readonly tables: RoutingTables;
  private readonly online: OnlineFeatureSource;
  private readonly agent: Agent;
  private shadowInFlight = 0;
  private readonly mirrors = new Set<Promise<unknown>>();

  constructor(private readonly options: InferenceRouterOptions) {
    const clock = options.clock;
    this.stats = options.stats ?? new DeploymentStatsRecorder({ now: clock ? () => clock().getTime() : Date.now });
    this.tables = new RoutingTables(options.db, options.tableTtlMs ?? 1000);
    this.online = {
      definitions: new FeatureViewDefinitions(options.db, options.definitionTtlMs ?? 1000),
      owners: options.features,
    };
    // Keep-alive connections to every model server, reused across calls.
    this.agent = new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000, connections: 256 });
  }

  /** Forgets an endpoint's cached routing table (called when its split changes). */
  invalidate(endpointName: string): void {
    this.tables.invalidate(endpointName);
  }

  /** Forgets the cached feature view definitions (called when a view is applied). */
  invalidateFeatureViews(): void {
    this.online.definitions.invalidate();
  }

  /** `POST /endpoints/{name}/predict` and `POST /v2/models/{name}/infer`. */
  async handleInference(
    req: IncomingMessage,
    res: ServerResponse,
    endpointName: string,
    protocol: Protocol,
  ): Promise<void> {
    let parsed: ParsedRequest;
    let table: RoutingTable;
    let target: RouteTarget;
    let hops: number;
    try {
      hops = hopsOf(req);
      table = await this.table(endpointName);
      parsed = await this.readRequest(req, protocol);
      target = liveTarget(table, req);
    } catch (error) {
      const failure = asRouterError(error);
      this.metrics.reject(failure.code);
      if (!req.readableEnded) req.resume();
      return sendError(res, failure);
    }
    try {
      const answer = await this.call(table, target, protocol, parsed, false, hops);
      res.writeHead(answer.status, {
        'content-type': answer.contentType,
        'content-length': answer.body.length,
        [DEPLOYMENT_HEADER]: target.id,
      });
      res.end(answer.body);
    } catch (error) {
      sendError(res, asRouterError(error), target.id);
    }
    this.mirror(table, target, protocol, parsed, hops);
  }

  /** `GET /v2/models/{name}` (the serving deployment's metadata, named after the endpoint) and `GET /v2/models/{name}/ready`. */
  async handleModel(
    req: IncomingMessage,
    res: ServerResponse,
    endpointName: string,
    what: 'metadata' | 'ready',
  ): Promise<void> {
    let target: RouteTarget | null = null;
    try {
      const hops = hopsOf(req);
      target = liveTarget(await this.table(endpointName), req);
      const path = `${target.basePath}/v2/models/${encodeURIComponent(target.modelName)}${what === 'ready' ? '/ready' : ''}`;
      const answer = await this.send(target, 'GET', path, null, hops);
      if (answer.status === 508) throw loopDetected();
      if (answer.status >= 500)
        throw new RouterError(502, 'UPSTREAM_UNAVAILABLE', `model server of ${target.id} answered ${answer.status}`);
      let body: unknown;
      if (what === 'ready') {
        body = { name: endpointName, ready: answer.status === 200 };
      } else {
        body = {
          ...(JSON.parse(answer.body.toString('utf8') || '{}') as object),
          name: endpointName,
          deployment: target.id,
        };
      }
      res.writeHead(what === 'ready' && answer.status !== 200 ? 503 : answer.status, {
        'content-type': 'application/json',
        [DEPLOYMENT_HEADER]: target.id,
      });
      res.end(JSON.stringify(body));
    } catch (error) {
      sendError(
        res,
        error instanceof SyntaxError
          ? new RouterError(502, 'UPSTREAM_UNAVAILABLE', 'model server metadata is not JSON')
          : asRouterError(error),
        target?.id,
      );
    }
  }

  /** The endpoint's routing table; 404 when there is no built-in endpoint of that name. */
  private async table(endpointName: string): Promise<RoutingTable> {
    // The name goes into a catalog query: text PostgreSQL refuses is the caller's mistake, not the router's.
    const nameProblem = textProblem(endpointName);
    if (nameProblem) throw new RouterError(400, 'BAD_USER_INPUT', `the endpoint name ${nameProblem}`);
    const table = await this.tables.get(endpointName);
    if (!table) throw new RouterError(404, 'NOT_FOUND', `no built-in endpoint named ${JSON.stringify(endpointName)}`);
    return table;
  }

  /** Prometheus text of the router's and the process's metrics. */
  async handleMetrics(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await this.metrics.registry.metrics();
    res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
    res.end(text);
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.mirrors]);
    await this.agent.close();
  }

  private async readRequest(req: IncomingMessage, protocol: Protocol): Promise<ParsedRequest> {
    const limit = this.options.maxBodyBytes;
    const declared = Number(req.headers['content-length']);
    if (declared > limit) {
      req.resume();
      throw new RouterError(413, 'PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`);
    }
    const raw = await readBody(req, limit);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new RouterError(400, 'BAD_USER_INPUT', 'the request body is not valid JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      throw new RouterError(400, 'BAD_USER_INPUT', 'the request body must be a JSON object');
    // Enrichment and re-serialization walk the body recursively; only the depth bound applies (text is forwarded, never stored).
    const tooDeep = untrustedValueProblem(body, { textAllowed: true });
    if (tooDeep)
      throw new RouterError(
        400,
        'BAD_USER_INPUT',
        `the request body${tooDeep.path.length ? ` at ${problemPath(tooDeep.path)}` : ''} ${tooDeep.message}`,
      );
    if (protocol === 'v2' && !Array.isArray((body as { inputs?: unknown }).inputs)) {
      throw new RouterError(400, 'BAD_USER_INPUT', 'a v2 infer request needs an inputs array');
    }
    return { raw, body: body as Record<string, unknown> };
  }

  /** Forwards one call to a deployment and records its outcome and latency (live or mirrored). */
  private async call(
    table: RoutingTable,
    target: RouteTarget,
    protocol: Protocol,
    request: ParsedRequest,
    shadow: boolean,
    hops: number,
  ): Promise<Upstream> {
    const start = performance.now();
    let outcome: Outcome = 'error';
    try {
      const payload =
        target.featureView && target.entityKeyField
          ? Buffer.from(JSON.stringify(await this.enrich(target, protocol, request.body)))
          : request.raw;
      const path =
        protocol === 'predict'
          ? `${target.basePath}/predict`
          : `${target.basePath}/v2/models/${encodeURIComponent(target.modelName)}/infer`;
      const answer = await this.send(target, 'POST', path, payload, hops);
      // A router further down refused the call: the caller learns of the loop, not of a failing server.
      if (answer.status === 508) throw loopDetected();
      if (answer.status >= 500)
        throw new RouterError(502, 'UPSTREAM_UNAVAILABLE', `model server of ${target.id} answered ${answer.status}`);
      outcome = answer.status >= 400 ? 'client_error' : 'success';
      return answer;
    } catch (error) {
      const failure = asRouterError(error);
      outcome = failure.status === 504 ? 'timeout' : failure.status < 500 ? 'client_error' : 'error';
      if (outcome !== 'client_error')
        log.debug(
          { endpoint: table.name, deployment: target.id, shadow, code: failure.code, reason: failure.message },
          'inference call failed',
        );
      throw failure;
    } finally {
      const ms = performance.now() - start;
      this.stats.record(target.id, ms, outcome === 'error' || outcome === 'timeout');
      this.metrics.observe(table.name, target.id, shadow, outcome, ms / 1000);
    }
  }

  private enrich(target: RouteTarget, protocol: Protocol, body: Record<string, unknown>) {
    return protocol === 'predict'
      ? enrichPredict(this.online, target.featureView!, target.entityKeyField!, body)
      : enrichInfer(this.online, target.featureView!, target.entityKeyField!, body);
  }

  private async send(
    target: RouteTarget,
    method: 'GET' | 'POST',
    path: string,
    body: Buffer | null,
    hops: number,
  ): Promise<Upstream> {
    if (!target.origin)
      throw new RouterError(502, 'UPSTREAM_UNAVAILABLE', `deployment ${target.id} names no usable model server URL`);
    try {
      const response = await this.agent.request({
        origin: target.origin,
        path,
        method,
        headers: { ...(body ? { 'content-type': 'application/json' } : {}), [HOPS_HEADER]: String(hops + 1) },
        body,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      const bytes = Buffer.from(await response.body.arrayBuffer());
      const contentType = response.headers['content-type'];
      return {
        status: response.statusCode,
        contentType: (Array.isArray(contentType) ? contentType[0] : contentType) ?? 'application/json',
        body: bytes,
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        throw new RouterError(
          504,
          'UPSTREAM_TIMEOUT',
          `model server of ${target.id} did not answer within ${this.options.timeoutMs} ms`,
          { cause: error },
        );
      }
      throw new RouterError(
        502,
        'UPSTREAM_UNAVAILABLE',
        `model server of ${target.id} is unreachable (${code ?? 'connection failed'})`,
        { cause: error },
      );
    }
  }

  /** Fire-and-forget copies to the shadow deployments: after the answer, bounded, their results only recorded. */
  private mirror(
    table: RoutingTable,
    live: RouteTarget,
    protocol: Protocol,
    request: ParsedRequest,
    hops: number,
  ): void {
    for (const target of table.shadow) {
      if (target.id === live.id || Math.random() * 100 >= target.shadowPercent) continue;
      if (this.shadowInFlight >= this.options.shadowConcurrency) {
        this.metrics.shadowDropped.labels(table.name).inc();
        continue;
      }
      this.shadowInFlight++;
      const mirrored = this.call(table, target, protocol, request, true, hops)
        .catch(() => {})
        .finally(() => {
          this.shadowInFlight--;
          this.mirrors.delete(mirrored);
        });
      this.mirrors.add(mirrored);
    }
  }
}

/** The request body, refused past `limit` bytes (events rather than async iteration: cheaper per request). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.removeListener('data', onData);
      req.resume();
      reject(new RouterError(413, 'PAYLOAD_TOO_LARGE', `request body over ${limit} bytes`));
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The hops a request has made so far (0 without the header); refused once it reaches MAX_HOPS. */
function hopsOf(req: IncomingMessage): number {
  const value = req.headers[HOPS_HEADER];
  if (value === undefined) return 0;
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value.trim()))
    throw new RouterError(400, 'BAD_USER_INPUT', `${HOPS_HEADER} must be a whole number`);
  const hops = Number(value.trim());
  if (hops >= MAX_HOPS) throw loopDetected();
  return hops;
}

function loopDetected(): RouterError {
  return new RouterError(
    508,
    'LOOP_DETECTED',
    `the call passed through ${MAX_HOPS} Cairn routers: a deployment's model server leads back to a Cairn endpoint`,
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function asRouterError(error: unknown): RouterError {
  if (error instanceof RouterError) return error;
  log.error({ err: error }, 'inference router failure');
  return new RouterError(502, 'UPSTREAM_UNAVAILABLE', 'the router could not serve the call');
}

function sendError(res: ServerResponse, error: RouterError, deploymentId?: string): void {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  res.writeHead(error.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    ...(deploymentId ? { [DEPLOYMENT_HEADER]: deploymentId } : {}),
  });
  res.end(body);
}

/** The live deployment this request goes to (by its routing key, if any); 503 when nothing takes live traffic. */
function liveTarget(table: RoutingTable, req: IncomingMessage): RouteTarget {
  const target = pickLive(table, header(req, ROUTING_KEY_HEADER));
  if (!target)
    throw new RouterError(503, 'NO_LIVE_DEPLOYMENT', `endpoint ${table.name} has no deployment taking live traffic`);
  return target;
}
