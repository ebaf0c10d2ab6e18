import { z } from 'zod';
import type { CloudProviderConfig } from '../adapters/core/provider-config.ts';
import type { QueryLimits } from '../gateway/query-limits.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/names.ts';
import { readProvidersFile } from './providers-file.ts';

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// URL');
const redisUrl = z.string().regex(/^rediss?:\/\/\S*$/, 'must be a redis:// or rediss:// URL');

const subgraphUrls = z.string().transform((text, ctx) => {
  const urls: Partial<Record<SubgraphName, string>> = {};
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, url] = pair.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!SUBGRAPH_NAMES.includes(name as SubgraphName)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown subgraph ${JSON.stringify(name)} (one of ${SUBGRAPH_NAMES.join(', ')})`,
      });
    } else if (!url || !/^https?:\/\/\S+$/.test(url)) {
      ctx.addIssue({
        code: 'custom',
        message: `subgraph ${name} needs an http(s) URL, as in ${name}=http://127.0.0.1:4001/graphql`,
      });
    } else {
      urls[name as SubgraphName] = url;
    }
  }
  return urls;
});

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const logLevel = z.preprocess(
  (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
  z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
);

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: postgresUrl.optional(),
  REDIS_URL: redisUrl.optional(),
  CAIRN_REDIS_PREFIX: z
    .string()
    .regex(/^[\w:.-]{1,100}$/, 'letters, digits and : . _ - only')
    .default('cairn:online'),
  CAIRN_DATA_DIR: z.string().min(1).default('.cairn'),
  CAIRN_DEMO: z.enum(['on', 'off']).default('on'),
  CAIRN_ACTOR: z.string().min(1).max(200).default('local'),
  CAIRN_ACTOR_ROLES: z.string().default(''),
  CAIRN_AUTH: z.enum(['off', 'trusted-header']).default('off'),
  CAIRN_POLICY_FILE: z.string().min(1).optional(),
  CAIRN_CONFIG: z.string().min(1).optional(),
  CAIRN_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  CAIRN_WEBHOOK_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  CAIRN_JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  CAIRN_ROLLOUT_POLL_SECONDS: z.coerce.number().min(0.1).max(3600).default(15),
  CAIRN_SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(5000),
  CAIRN_SUBGRAPH_URLS: subgraphUrls.default({}),
  CAIRN_OWNER_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(30_000),
  CAIRN_ROUTER_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(10_000),
  CAIRN_ROUTER_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(1024 * 1024),
  CAIRN_ROUTER_SHADOW_CONCURRENCY: z.coerce.number().int().min(0).max(10_000).default(64),
  CAIRN_MAX_QUERY_DEPTH: z.coerce.number().int().min(1).max(1000).default(10),
  CAIRN_MAX_QUERY_ALIASES: z.coerce.number().int().min(0).max(100_000).default(15),
  CAIRN_MAX_QUERY_TOKENS: z.coerce.number().int().min(10).max(10_000_000).default(2000),
  CAIRN_MAX_QUERY_COST: z.coerce.number().int().min(1).max(1_000_000_000).default(100_000),
  CAIRN_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(10).max(3_600_000).optional(),
  CAIRN_READINESS_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
  CAIRN_INTROSPECTION: z.enum(['on', 'off'], { message: 'must be on or off' }).optional(),
  NODE_ENV: z.string().optional(),
  CAIRN_ALLOWED_HOSTS: z
    .string()
    .transform((text) =>
      text
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+)$/,
            'host names only, without scheme or port (as in cairn.example.com,10.0.0.5)',
          ),
      ),
    )
    .default([]),
  LOG_LEVEL: logLevel.default('info'),
});

export interface CairnConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  redisUrl?: string;
  redisPrefix: string;
  dataDir: string;
  demo: boolean;
  actor: string;
  actorRoles: string[];
  /** `off`: every request acts as `actor`; `trusted-header`: an authenticating proxy names the actor in `x-cairn-actor` (roles in `x-cairn-roles`). */
  auth: 'off' | 'trusted-header';
  policyFile?: string;
  /** `cairn.config.yaml` (CAIRN_CONFIG), when given. */
  configFile?: string;
  /** The cloud provider instances it lists (none without the file). */
  providers: CloudProviderConfig[];
  webhooks: { maxAttempts: number; retryDelaySeconds: number };
  jobPollSeconds: number;
  /** Seconds between looks at a rollout in progress besides each step's end (early rollback, shadow comparison). */
  rolloutPollSeconds: number;
  subgraphTimeoutMs: number;
  subgraphUrls: Partial<Record<SubgraphName, string>>;
  /** The inference router: model server timeout, request body bound, mirror calls in flight at once. */
  router: { timeoutMs: number; maxBodyBytes: number; shadowConcurrency: number };
  /** Bounds on a GraphQL query's shape at the gateway. */
  queryLimits: QueryLimits;
  /** Bound on each database statement of a query (PostgreSQL); background jobs and migrations are not bound. */
  statementTimeoutMs: number;
  /** Bound on each readiness check (/readyz). */
  readinessTimeoutMs: number;
  /** Host names requests may name besides localhost, 127.0.0.1, [::1] and HOST. */
  allowedHosts: string[];
  /** Schema introspection and field suggestions (CAIRN_INTROSPECTION; default off when NODE_ENV=production). */
  introspection: boolean;
  /** How long a model's owner (a cloud registry) may take to accept a stage change before the promotion FAILs. */
  ownerTimeoutMs: number;
  logLevel: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Checks LOG_LEVEL alone, for the commands that talk to a running gateway and read no other setting;
 * answers the level (lower case).
 */
export function parseLogLevel(env: NodeJS.ProcessEnv = process.env): string {
  if (!env.LOG_LEVEL) return 'info';
  const result = logLevel.safeParse(env.LOG_LEVEL);
  if (!result.success) throw new ConfigError([`LOG_LEVEL: ${result.error.issues[0]!.message}`]);
  return result.data;
}

/** Parses Cairn's environment once, listing every problem; empty variables count as unset. */
export function parseConfig(env: NodeJS.ProcessEnv = process.env): CairnConfig {
  const present = Object.fromEntries(
    Object.keys(configSchema.shape).flatMap((key) => (env[key] ? [[key, env[key]]] : [])),
  );
  const result = configSchema.safeParse(present);
  // The value is never echoed: it may hold a password.
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`);
  const file = present.CAIRN_CONFIG ? readProvidersFile(present.CAIRN_CONFIG) : { providers: [], problems: [] };
  problems.push(...file.problems);
  if (!result.success || problems.length) throw new ConfigError(problems);
  const c = result.data;
  return {
    port: c.PORT,
    host: c.HOST,
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    redisPrefix: c.CAIRN_REDIS_PREFIX,
    dataDir: c.CAIRN_DATA_DIR,
    demo: c.CAIRN_DEMO === 'on',
    actor: c.CAIRN_ACTOR,
    actorRoles: c.CAIRN_ACTOR_ROLES.split(',')
      .map((role) => role.trim())
      .filter(Boolean),
    auth: c.CAIRN_AUTH,
    policyFile: c.CAIRN_POLICY_FILE,
    configFile: c.CAIRN_CONFIG,
    providers: file.providers,
    webhooks: { maxAttempts: c.CAIRN_WEBHOOK_MAX_ATTEMPTS, retryDelaySeconds: c.CAIRN_WEBHOOK_RETRY_DELAY_SECONDS },
    jobPollSeconds: c.CAIRN_JOB_POLL_SECONDS,
    rolloutPollSeconds: c.CAIRN_ROLLOUT_POLL_SECONDS,
    subgraphTimeoutMs: c.CAIRN_SUBGRAPH_TIMEOUT_MS,
    subgraphUrls: c.CAIRN_SUBGRAPH_URLS,
    ownerTimeoutMs: c.CAIRN_OWNER_TIMEOUT_MS,
    router: {
      timeoutMs: c.CAIRN_ROUTER_TIMEOUT_MS,
      maxBodyBytes: c.CAIRN_ROUTER_MAX_BODY_BYTES,
      shadowConcurrency: c.CAIRN_ROUTER_SHADOW_CONCURRENCY,
    },
    queryLimits: {
      maxDepth: c.CAIRN_MAX_QUERY_DEPTH,
      maxAliases: c.CAIRN_MAX_QUERY_ALIASES,
      maxTokens: c.CAIRN_MAX_QUERY_TOKENS,
      maxCost: c.CAIRN_MAX_QUERY_COST,
    },
    // A query's answer is gone once its subgraph call times out: its statements need not outlive it.
    statementTimeoutMs: c.CAIRN_STATEMENT_TIMEOUT_MS ?? c.CAIRN_SUBGRAPH_TIMEOUT_MS,
    readinessTimeoutMs: c.CAIRN_READINESS_TIMEOUT_MS,
    allowedHosts: c.CAIRN_ALLOWED_HOSTS,
    // Schema introspection and "did you mean" suggestions: on in development, off in production unless asked for.
    introspection: c.CAIRN_INTROSPECTION ? c.CAIRN_INTROSPECTION === 'on' : c.NODE_ENV !== 'production',
    logLevel: c.LOG_LEVEL,
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** What an operator should know before Cairn starts as configured (printed, not refused). */
export function startupWarnings(config: CairnConfig): string[] {
  const warnings: string[] = [];
  const loopback = LOOPBACK_HOSTS.has(config.host.toLowerCase()) || /^127\./.test(config.host);
  if (config.auth === 'off' && !loopback) {
    warnings.push(
      `authentication is off (CAIRN_AUTH=off) and HOST=${config.host} is not a loopback address: anyone who can reach this port acts as ${JSON.stringify(config.actor)}. Set CAIRN_AUTH=trusted-header behind an authenticating proxy, or HOST=127.0.0.1.`,
    );
  }
  return warnings;
}
