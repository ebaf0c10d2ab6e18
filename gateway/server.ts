import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import { inferenceRequestHandler } from '../adapters/builtin/router/http.ts';
import type { InferenceRouter } from '../adapters/builtin/router/router.ts';
import { log } from '../adapters/core/log.ts';
import { currentRequestScope, runInRequestScope } from '../adapters/core/request-scope.ts';
import type { CairnContext } from '../subgraphs/shared/context.ts';
import type { Services } from '../subgraphs/services.ts';
import { InProcessSubgraph, RemoteSubgraph } from './data-sources.ts';
import { hostAllowed, type ReadinessReport } from './health.ts';
import { queryLimitOptions, type QueryLimits } from './query-limits.ts';

export interface IdentityOptions {
  auth: 'off' | 'trusted-header';
  /** The identity (and roles) every request acts as while auth is off. */
  actor: string;
  roles: string[];
}

interface ServerBase {
  port: number;
  host?: string;
  services: Services;
  identity: IdentityOptions;
  /** What /healthz names (the kinds of database and online store): liveness checks nothing else. */
  parts: Record<string, string>;
  /** What /readyz checks: each part within its bound. */
  readiness: () => Promise<ReadinessReport>;
  /** Host names requests may name besides the loopback ones and `host` (CAIRN_ALLOWED_HOSTS). */
  allowedHosts: readonly string[];
}

export interface GatewayOptions extends ServerBase {
  supergraphSdl: string;
  /** Per subgraph: an in-process schema, or the URL of a subgraph served elsewhere. */
  subgraphs: Record<string, { schema: GraphQLSchema } | { url: string }>;
  subgraphTimeoutMs: number;
  /** Bounds on a query's shape, refused before execution (subgraphs behind the gateway get its own, bounded queries). */
  queryLimits: QueryLimits;
  /** The built-in inference router: /endpoints/{name}/predict, /v2/models/{name}/…, /metrics. */
  router?: InferenceRouter;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const WEB_DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const WEB_PLACEHOLDER = fileURLToPath(new URL('../web/public', import.meta.url));

const ACTOR_HEADER = 'x-cairn-actor';
const ROLES_HEADER = 'x-cairn-roles';

/** The request's identity: the local one while auth is off, the proxy's headers in `trusted-header` mode. */
function identityOf(req: Request, identity: IdentityOptions): { actor: string; roles: string[] } | null {
  if (identity.auth === 'off') return { actor: identity.actor, roles: identity.roles };
  const actor = req.get(ACTOR_HEADER)?.trim();
  if (!actor || actor.length > 200 || /[\u0000-\u001f]/.test(actor)) return null;
  const roles = (req.get(ROLES_HEADER) ?? '').split(',').map((role) => role.trim()).filter(Boolean);
  return { actor, roles };
}

function contextFor(options: ServerBase) {
  return async ({ req }: { req: Request }): Promise<CairnContext> => ({
    services: options.services,
    ...identityOf(req, options.identity)!,
    requestId: req.get('x-request-id') ?? randomUUID(),
  });
}

/** Starts the gateway: GraphQL at /graphql, the inference router and /metrics, the dashboard at /, liveness at /healthz. */
export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }): GraphQLDataSource<CairnContext> => {
      const subgraph = options.subgraphs[name];
      if (!subgraph) throw new Error(`the supergraph names subgraph ${name}, which this process does not know`);
      return 'schema' in subgraph
        ? new InProcessSubgraph(subgraph.schema, name, options.subgraphTimeoutMs)
        : new RemoteSubgraph(name, subgraph.url, options.subgraphTimeoutMs);
    },
  });
  const inference = options.router ? inferenceRequestHandler(options.router) : undefined;
  return serve(options, { gateway, ...queryLimitOptions<CairnContext>(options.queryLimits) }, (app) => {
    const webRoot = existsSync(WEB_DIST) ? WEB_DIST : WEB_PLACEHOLDER;
    app.use(express.static(webRoot, {
      // Vite names built assets by content hash: they never change under their name.
      setHeaders: (res, path) => {
        if (path.includes(`${join('dist', 'assets')}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        else res.setHeader('cache-control', 'no-cache');
      },
    }));
    // The dashboard routes on the client (/lineage, /models?version=…): a page load or reload of such
    // an address gets index.html. Files that do not exist (a name with an extension) stay 404.
    app.get(/.*/, (req, res, next) => {
      if (extname(req.path) || !req.accepts('html')) return next();
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(join(webRoot, 'index.html'));
    });
  }, inference);
}

/** Serves one subgraph alone (`cairn serve --only <name>`) for a gateway elsewhere to call. */
export function startSubgraph(options: ServerBase & { schema: GraphQLSchema }): Promise<RunningServer> {
  return serve(options, { schema: options.schema }, () => {});
}

const GRAPHQL_BODY_LIMIT = '10mb';

/** An error answer in the shape of a GraphQL error, whatever the route: never a stack or a path. */
function sendError(res: express.Response, status: number, code: string, message: string) {
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/** What a body-parser refusal (`type`) tells the caller; its own messages may quote the body. */
const BODY_ERRORS: Record<string, { code: string; message: string }> = {
  'entity.parse.failed': { code: 'BAD_REQUEST', message: 'the request body is not valid JSON' },
  'entity.too.large': { code: 'PAYLOAD_TOO_LARGE', message: `the request body is over the limit of ${GRAPHQL_BODY_LIMIT}` },
  'entity.verify.failed': { code: 'BAD_REQUEST', message: 'the request body was refused' },
  'request.aborted': { code: 'BAD_REQUEST', message: 'the request body ended early' },
  'request.size.invalid': { code: 'BAD_REQUEST', message: 'the request body does not match its content-length' },
  'charset.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'the request body must be UTF-8' },
  'encoding.unsupported': { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported content-encoding (identity, gzip, deflate or br)' },
};

/**
 * The last express handler: every error of every route (body parser, static files, anything thrown)
 * answers JSON in the GraphQL error shape. A client's mistake keeps its 4xx status; anything else is
 * logged with an error id and answered as an opaque 500.
 */
function answerError(error: unknown, _req: Request, res: express.Response, next: express.NextFunction) {
  if (res.headersSent) return next(error);
  const { status, type } = error as { status?: unknown; statusCode?: unknown; type?: unknown };
  const known = typeof type === 'string' ? BODY_ERRORS[type] : undefined;
  const httpStatus = typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
  if (known) return sendError(res, httpStatus, known.code, known.message);
  if (httpStatus === 404) return sendError(res, 404, 'NOT_FOUND', 'nothing is served at this address');
  if (httpStatus < 500) return sendError(res, httpStatus, 'BAD_REQUEST', 'the request was refused');
  const errorId = randomUUID().slice(0, 8);
  log.error({ errorId, err: error }, 'unexpected error in an http route');
  sendError(res, 500, 'INTERNAL_SERVER_ERROR', `internal error (error id ${errorId})`);
}

function refuseHost(res: ServerResponse) {
  const body = JSON.stringify({ errors: [{ message: 'this host name is not allowed (add it to CAIRN_ALLOWED_HOSTS)', extensions: { code: 'FORBIDDEN' } }] });
  res.writeHead(403, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
}

/** A request Node's parser refused (a malformed request line, headers too large): the same JSON shape. */
function answerClientError(error: Error & { code?: string }, socket: Duplex) {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({ errors: [{ message: 'malformed HTTP request', extensions: { code: 'BAD_REQUEST' } }] });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Runs the rest of a GraphQL request in its scope, whose signal aborts when the client goes away
 * before its answer: the database then refuses the statements a query has not started yet.
 */
function inRequestScope(_req: Request, res: express.Response, next: express.NextFunction) {
  const abandoned = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abandoned.abort();
  });
  runInRequestScope({ signal: abandoned.signal, cuttable: false }, next);
}

/** Marks a request's work as a query once its operation is known (see `RequestScope`). */
const queriesMayBeCut: ApolloServerPlugin<CairnContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        const scope = currentRequestScope();
        if (scope) scope.cuttable = operation?.operation === 'query';
      },
    };
  },
};

async function serve(
  options: ServerBase,
  graphql: Pick<ApolloServerOptions<CairnContext>, 'gateway' | 'schema' | 'parseOptions' | 'validationRules' | 'plugins' | 'formatError'>,
  extraRoutes: (app: express.Express) => void,
  /** Takes a request before express does (the inference router's hot path); answers whether it did. */
  preHandler?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const apollo = new ApolloServer<CairnContext>({
    ...(graphql as ApolloServerOptions<CairnContext>),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), queriesMayBeCut, ...(graphql.plugins ?? [])],
  } as ApolloServerOptions<CairnContext>);
  await apollo.start();

  // Liveness: the process is up and serving; it waits on nothing.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', ...options.parts });
  });
  // Readiness: every part this process needs answers, each within a short bound; 503 names the ones that do not.
  app.get('/readyz', async (_req, res) => {
    const report = await options.readiness();
    res.status(report.ok ? 200 : 503).json({ status: report.ok ? 'ok' : 'unavailable', checks: report.checks });
  });
  app.use('/graphql', (req, res, next) => {
    if (identityOf(req, options.identity)) return next();
    res.status(401).json({ errors: [{ message: `no identity: the authenticating proxy must set ${ACTOR_HEADER}`, extensions: { code: 'UNAUTHENTICATED' } }] });
  });
  app.use('/graphql', express.json({ limit: GRAPHQL_BODY_LIMIT }), inRequestScope, expressMiddleware(apollo, { context: contextFor(options) }));
  extraRoutes(app);
  app.use((_req, res) => sendError(res, 404, 'NOT_FOUND', 'nothing is served at this address'));
  app.use(answerError);

  const httpServer = await new Promise<Server>((resolve, reject) => {
    const allowed = hostAllowed(options.host ?? '127.0.0.1', options.allowedHosts);
    const server = createServer((req, res) => {
      // Before every route, the inference router's included: a name that is not ours is DNS rebinding.
      if (!allowed(req.headers.host)) return refuseHost(res);
      if (preHandler?.(req, res)) return;
      app(req, res);
    });
    server.on('clientError', answerClientError);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server));
    server.once('error', reject);
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  log.debug({ url }, 'http server listening');
  return {
    url,
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeIdleConnections();
      await apollo.stop();
      await closed;
    },
  };
}
