import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerOptions, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import { inferenceRequestHandler } from '../serving/http.ts';
import type { InferenceRouter } from '../serving/router.ts';
import { log } from '../platform/log.ts';
import { currentRequestScope, runInRequestScope } from '../platform/request-scope.ts';
import type { CairnContext } from '../subgraphs/shared/context.ts';
import type { Services } from '../subgraphs/services.ts';
import { InProcessSubgraph, RemoteSubgraph } from './data-sources.ts';
import { hostAllowed, type ReadinessReport } from './health.ts';
import { answerClientError, answerError, GRAPHQL_BODY_LIMIT, refuseHost, sendError } from './http-errors.ts';
import { inputGuardPlugin } from './input-guard.ts';
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
  /** Schema introspection and field suggestions in errors (CAIRN_INTROSPECTION; off in production by default). */
  introspection: boolean;
}

export interface GatewayOptions extends ServerBase {
  supergraphSdl: string;
  /** Per subgraph: an in-process schema, or the URL of a subgraph served elsewhere. */
  subgraphs: Record<string, { schema: GraphQLSchema } | { url: string }>;
  subgraphTimeoutMs: number;
  /** The bound of a mutation's subgraph fetch (its owner call may take CAIRN_OWNER_TIMEOUT_MS); at least subgraphTimeoutMs. */
  mutationTimeoutMs?: number;
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
  const roles = (req.get(ROLES_HEADER) ?? '')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
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
  // @apollo/gateway otherwise starts an OpenTelemetry exporter that reports usage to Apollo's servers
  // and probes the AWS, GCP, Azure and Alibaba metadata addresses to describe the host. A control plane
  // sends nothing its operator did not configure; this switch is the only one the library reads.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const bounds = {
    timeoutMs: options.subgraphTimeoutMs,
    mutationTimeoutMs: Math.max(options.subgraphTimeoutMs, options.mutationTimeoutMs ?? 0),
  };
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }): GraphQLDataSource<CairnContext> => {
      const subgraph = options.subgraphs[name];
      if (!subgraph) throw new Error(`the supergraph names subgraph ${name}, which this process does not know`);
      return 'schema' in subgraph
        ? new InProcessSubgraph(subgraph.schema, name, bounds)
        : new RemoteSubgraph(name, subgraph.url, bounds);
    },
  });
  const inference = options.router ? inferenceRequestHandler(options.router) : undefined;
  return serve(
    options,
    { gateway, ...queryLimitOptions<CairnContext>(options.queryLimits) },
    (app) => {
      const webRoot = existsSync(WEB_DIST) ? WEB_DIST : WEB_PLACEHOLDER;
      app.use(
        express.static(webRoot, {
          // Vite names built assets by content hash: they never change under their name.
          setHeaders: (res, path) => {
            if (path.includes(`${join('dist', 'assets')}`))
              res.setHeader('cache-control', 'public, max-age=31536000, immutable');
            else res.setHeader('cache-control', 'no-cache');
          },
        }),
      );
      // The dashboard routes on the client (/lineage, /models?version=…): a page load or reload of such
      // an address gets index.html. Files that do not exist (a name with an extension) stay 404.
      app.get(/.*/, (req, res, next) => {
        if (extname(req.path) || !req.accepts('html')) return next();
        res.setHeader('cache-control', 'no-cache');
        res.sendFile(join(webRoot, 'index.html'));
      });
    },
    inference,
    { explorer: true },
  );
}

/** Serves one subgraph alone (`cairn serve --only <name>`) for a gateway elsewhere to call. */
export function startSubgraph(options: ServerBase & { schema: GraphQLSchema }): Promise<RunningServer> {
  return serve(options, { schema: options.schema }, () => {});
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
  graphql: Pick<
    ApolloServerOptions<CairnContext>,
    'gateway' | 'schema' | 'parseOptions' | 'validationRules' | 'plugins' | 'formatError'
  >,
  extraRoutes: (app: express.Express) => void,
  /** Takes a request before express does (the inference router's hot path); answers whether it did. */
  preHandler?: (req: IncomingMessage, res: ServerResponse) => boolean,
  /** Whether the dashboard's GraphQL explorer (/explorer) is served: the gateway's, not a lone subgraph's. */
  { explorer = false }: { explorer?: boolean } = {},
): Promise<RunningServer> {
  const app = express();
  app.disable('x-powered-by');
  const apollo = new ApolloServer<CairnContext>({
    ...(graphql as ApolloServerOptions<CairnContext>),
    includeStacktraceInErrorResponses: false,
    // Explicit, not Apollo's NODE_ENV default; without introspection, errors suggest no field names either.
    introspection: options.introspection,
    hideSchemaDetailsFromClientErrors: !options.introspection,
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      inputGuardPlugin(),
      queriesMayBeCut,
      ...(graphql.plugins ?? []),
    ],
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
  if (explorer && options.introspection) {
    // A browser opening /graphql gets the dashboard's explorer, which needs introspection. Other GETs
    // (a query in the address, a client asking for JSON) reach Apollo as before.
    app.get('/graphql', (req, res, next) => {
      if (Object.keys(req.query).length > 0 || req.accepts(['application/json', 'text/html']) !== 'text/html')
        return next();
      res.redirect(302, '/explorer');
    });
  }
  app.use('/graphql', (req, res, next) => {
    if (identityOf(req, options.identity)) return next();
    res.status(401).json({
      errors: [
        {
          message: `no identity: the authenticating proxy must set ${ACTOR_HEADER}`,
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
  });
  app.use(
    '/graphql',
    express.json({ limit: GRAPHQL_BODY_LIMIT }),
    inRequestScope,
    expressMiddleware(apollo, { context: contextFor(options) }),
  );
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
