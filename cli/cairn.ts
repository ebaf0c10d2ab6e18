import { parseArgs } from 'node:util';
import { log, redact } from '../platform/log.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/names.ts';
import { ConfigError, parseConfig, parseLogLevel, startupWarnings } from '../server/config.ts';

// The server's modules load only for the commands that need them: `promote` and `verify-audit`
// start in a fraction of the time.

/** Each command's usage, as `cairn help` lists them and `cairn <command> --help` answers. */
const COMMAND_USAGE: Record<string, string> = {
  serve: `  cairn serve                          gateway + all four subgraphs in one process (PORT, default 4000)
  cairn serve --only <subgraph> [--port N]
                                       one subgraph alone (needs DATABASE_URL); subgraphs: ${SUBGRAPH_NAMES.join(', ')}
  cairn serve --subgraph <name>=<url>  gateway calling that subgraph over HTTP (repeatable; also CAIRN_SUBGRAPH_URLS)`,
  migrate: `  cairn migrate                        apply pending database migrations and exit`,
  compose: `  cairn compose [--check]              write gateway/supergraph.graphql and the public API schema (schema.graphql)
                                       from the subgraphs (--check: fail if either is stale)`,
  promote: `  cairn promote <modelVersionId> --to <STAGING|PRODUCTION|ARCHIVED> [--dry-run] [--idempotency-key K]
               [--reason R] [--expect-current <versionId|none>] [--url http://127.0.0.1:4000]
                                       promote through a running gateway, for CI: exit 0 when applied (or
                                       allowed, with --dry-run), 3 when denied or waiting for approvals, 1 on error`,
  'verify-audit': `  cairn verify-audit [--url …]         recompute the audit log's hash chain: exit 0 when intact, 4 when broken`,
  impact: `  cairn impact <id> [--url …]          what a change to a feature, feature view, dataset or model version touches,
                                       for CI: exit 0 when no production deployment depends on it, 5 when one does`,
  rollback: `  cairn rollback <endpointId> [--url …]
                                       all live traffic back to the endpoint's stable deployment (ends a rollout in
                                       progress): exit 0 when done, 1 on an error (no stable deployment: CONFLICT)`,
  sync: `  cairn sync <provider> [--full] [--wait] [--url …]
                                       sync a cloud provider's assets into the catalog now; --wait follows the run
                                       and exits 0 when it succeeded, 1 when it failed`,
};

const USAGE = `cairn — the Cairn control plane

Usage:
${Object.values(COMMAND_USAGE).join('\n')}

Environment: PORT, HOST, DATABASE_URL, REDIS_URL, CAIRN_DATA_DIR (.cairn), CAIRN_DEMO (on|off),
CAIRN_ACTOR (local), CAIRN_CONFIG (cairn.config.yaml: cloud providers), CAIRN_SUBGRAPH_TIMEOUT_MS (5000),
CAIRN_SUBGRAPH_URLS, CAIRN_MAX_QUERY_DEPTH (10), CAIRN_MAX_QUERY_ALIASES (15), CAIRN_MAX_QUERY_TOKENS (2000),
CAIRN_MAX_QUERY_COST (100000), CAIRN_STATEMENT_TIMEOUT_MS, CAIRN_READINESS_TIMEOUT_MS (2000), CAIRN_ALLOWED_HOSTS,
CAIRN_INTROSPECTION (on, off when NODE_ENV=production), LOG_LEVEL (info). See README.md ("Configuration" and "Limits").`;

class UsageError extends Error {}
/** A failure the command explains in one line (exit 1), such as an unreachable gateway or a GraphQL error. */
class CommandError extends Error {}

async function serve(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { only: { type: 'string' }, port: { type: 'string' }, subgraph: { type: 'string', multiple: true } },
  });
  const env = { ...process.env };
  if (values.only && !SUBGRAPH_NAMES.includes(values.only as SubgraphName)) {
    throw new UsageError(`--only takes one of ${SUBGRAPH_NAMES.join(', ')}, not ${JSON.stringify(values.only)}`);
  }
  const { SUBGRAPH_PORTS } = await import('../gateway/supergraph.ts');
  if (values.port) env.PORT = values.port;
  else if (values.only) env.PORT = String(SUBGRAPH_PORTS[values.only as SubgraphName]);
  if (values.subgraph?.length)
    env.CAIRN_SUBGRAPH_URLS = [env.CAIRN_SUBGRAPH_URLS, ...values.subgraph].filter(Boolean).join(',');
  const config = parseConfig(env);
  log.level = config.logLevel;
  for (const warning of startupWarnings(config)) console.error(`cairn: WARNING: ${warning}`);
  const { startCairn } = await import('../server/runtime.ts');
  const cairn = await startCairn(config, { only: values.only as SubgraphName | undefined });
  const stop = async (signal: string) => {
    log.info(`${signal} received, shutting down`);
    await cairn.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function migrate() {
  const config = parseConfig();
  log.level = config.logLevel;
  const { startDatabase } = await import('../platform/database.ts');
  const { applyMigrations } = await import('../prisma/migrate.ts');
  const database = await startDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await applyMigrations(database.url, { log: (message) => log.info(message) });
    console.log(
      applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date',
    );
  } finally {
    await database.close();
  }
}

async function compose(args: string[]) {
  const { values } = parseArgs({ args, options: { check: { type: 'boolean', default: false } } });
  const { composeSchemas, readApiSchema, readSupergraph, writeSchemas } = await import('../gateway/supergraph.ts');
  if (!values.check) {
    await writeSchemas();
    console.log('wrote gateway/supergraph.graphql and schema.graphql');
    return;
  }
  const composed = await composeSchemas();
  const stale = [
    ...(composed.supergraph !== (await readSupergraph()) ? ['gateway/supergraph.graphql'] : []),
    ...(composed.api !== (await readApiSchema().catch(() => '')) ? ['schema.graphql'] : []),
  ];
  if (stale.length > 0) {
    throw new UsageError(`${stale.join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale: run \`npm run compose\``);
  }
  console.log('gateway/supergraph.graphql and schema.graphql are current');
}

const PROMOTE = `mutation($input: PromoteModelVersionInput!) {
  promoteModelVersion(input: $input) {
    allowed applied dryRun replayed
    promotion { id status from to }
    evaluations { policy version severity outcome message error }
  }
}`;

async function callGateway(url: string, query: string, variables?: Record<string, unknown>) {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/$/, '')}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(process.env.CAIRN_ACTOR ? { 'x-cairn-actor': process.env.CAIRN_ACTOR } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new CommandError(`cannot reach the Cairn gateway at ${url}: ${(error as Error).message}`);
  }
  const body = (await response.json()) as {
    data?: any;
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (body.errors?.length)
    throw new CommandError(body.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('\n'));
  return body.data;
}

const defaultUrl = () => `http://127.0.0.1:${process.env.PORT || 4000}`;

async function promote(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'idempotency-key': { type: 'string' },
      reason: { type: 'string' },
      'expect-current': { type: 'string' },
      url: { type: 'string' },
    },
  });
  const [modelVersionId] = positionals;
  if (!modelVersionId || !values.to)
    throw new UsageError(
      'usage: cairn promote <modelVersionId> --to <STAGING|PRODUCTION|ARCHIVED> [--dry-run] [--idempotency-key K]',
    );
  const data = await callGateway(values.url ?? defaultUrl(), PROMOTE, {
    input: {
      modelVersionId,
      to: values.to.toUpperCase(),
      dryRun: values['dry-run'],
      idempotencyKey: values['idempotency-key'],
      reason: values.reason,
      expectedCurrentVersionId: values['expect-current'],
    },
  });
  const result = data.promoteModelVersion;
  for (const e of result.evaluations) {
    console.log(
      `${e.outcome.padEnd(7)} ${e.severity.padEnd(5)} ${e.policy}@v${e.version}: ${e.message}${e.error ? ` (${e.error})` : ''}`,
    );
  }
  const verdict = result.dryRun
    ? `dry run: ${result.allowed ? 'would be allowed' : 'would be denied'}`
    : `${result.promotion.status}${result.replayed ? ' (replayed)' : ''}: ${result.promotion.from} -> ${result.promotion.to}, promotion ${result.promotion.id}`;
  console.log(verdict);
  return (result.dryRun ? result.allowed : result.applied) ? 0 : 3;
}

async function verifyAudit(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' } } });
  const { verifyAuditChain: report } = await callGateway(
    values.url ?? defaultUrl(),
    '{ verifyAuditChain { ok checked firstBrokenId reason } }',
  );
  if (report.ok) {
    console.log(`audit chain intact: ${report.checked} events checked`);
    return 0;
  }
  console.log(
    `audit chain BROKEN at event ${report.firstBrokenId}: ${report.reason} (${report.checked} events before it are intact)`,
  );
  return 4;
}

const IMPACT = `query($id: ID!) {
  impact(id: $id) {
    owners
    summary { modelVersions deployments productionDeployments atRiskDeployments endpoints }
    impactedDeployments { production atRisk endpointName provider trafficPercent shadowPercent owner endpointOwner stage deployment { id } }
  }
}`;

async function impact(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' } } });
  const [id] = positionals;
  if (!id)
    throw new UsageError(
      'usage: cairn impact <featureId|featureViewId|datasetId|modelVersionId> [--url http://127.0.0.1:4000]',
    );
  const report = (await callGateway(values.url ?? defaultUrl(), IMPACT, { id })).impact;
  const s = report.summary;
  console.log(
    `${id} (owners: ${report.owners.join(', ') || 'none'}): ${s.modelVersions} model versions, ${s.deployments} deployments, ${s.endpoints} endpoints downstream`,
  );
  const production = report.impactedDeployments.filter((d: { production: boolean }) => d.production);
  for (const d of production) {
    console.log(
      `PRODUCTION ${d.provider}/${d.endpointName} ${d.deployment.id}: ${d.trafficPercent}% live${d.shadowPercent ? `, ${d.shadowPercent}% shadow` : ''}, ${d.stage}, owner ${d.owner ?? 'unknown'}${d.endpointOwner ? `, endpoint owner ${d.endpointOwner}` : ''}${d.atRisk ? ' (AT RISK: open incident upstream)' : ''}`,
    );
  }
  console.log(
    production.length === 0
      ? 'no production deployment depends on it'
      : `${production.length} production deployment(s) depend on it`,
  );
  return production.length === 0 ? 0 : 5;
}

const ROLLBACK = `mutation($input: RollbackEndpointInput!) {
  rollbackEndpoint(input: $input) { name trafficSplit { percent shadow deployment { id } } }
}`;

async function rollback(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' } } });
  const [endpointId] = positionals;
  if (!endpointId) throw new UsageError('usage: cairn rollback <endpointId> [--url http://127.0.0.1:4000]');
  const endpoint = (await callGateway(values.url ?? defaultUrl(), ROLLBACK, { input: { endpointId } }))
    .rollbackEndpoint;
  const shares = endpoint.trafficSplit.map(
    (s: { percent: number; shadow: boolean; deployment: { id: string } }) =>
      `${s.deployment.id} ${s.percent}%${s.shadow ? ' (shadow)' : ''}`,
  );
  console.log(`rolled back ${endpoint.name}: ${shares.join(', ')}`);
  return 0;
}

const SYNC_RUN_FIELDS = 'id providerName status created updated deleted unchanged pages error';

/** Starts a sync; with `--wait`, reports its progress until it ends (every second while it changes). */
async function sync(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      full: { type: 'boolean', default: false },
      wait: { type: 'boolean', default: false },
      url: { type: 'string' },
    },
  });
  const [provider] = positionals;
  if (!provider) throw new UsageError('usage: cairn sync <provider> [--full] [--wait] [--url http://127.0.0.1:4000]');
  const url = values.url ?? defaultUrl();
  let run = (
    await callGateway(
      url,
      `mutation($input: SyncProviderInput!) { syncProvider(input: $input) { ${SYNC_RUN_FIELDS} } }`,
      { input: { name: provider, full: values.full } },
    )
  ).syncProvider;
  console.log(`sync ${run.id} of ${run.providerName}: ${run.status}`);
  if (!values.wait) return 0;
  const counts = (r: typeof run) =>
    `${r.created} created, ${r.updated} updated, ${r.deleted} deleted, ${r.unchanged} unchanged (${r.pages} pages)`;
  let last = '';
  while (run.status === 'PENDING' || run.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    run = (await callGateway(url, `query($id: ID!) { syncRun(id: $id) { ${SYNC_RUN_FIELDS} } }`, { id: run.id }))
      .syncRun;
    const line = `${run.status}: ${counts(run)}`;
    if (line !== last && run.status === 'RUNNING') console.log(line);
    last = line;
  }
  console.log(`${run.status}: ${counts(run)}${run.error ? ` — ${run.error}` : ''}`);
  return run.status === 'SUCCEEDED' ? 0 : 1;
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  const usage = command === undefined ? undefined : COMMAND_USAGE[command];
  // Before anything runs: `cairn migrate --help` must not migrate.
  if (usage && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(`Usage:\n${usage}`);
    return;
  }
  // serve and migrate check LOG_LEVEL with the rest of their configuration; the others read only it.
  if (usage && command !== 'serve' && command !== 'migrate') log.level = parseLogLevel();
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'migrate':
      return migrate();
    case 'compose':
      return compose(rest);
    case 'promote':
      process.exitCode = await promote(rest);
      return;
    case 'verify-audit':
      process.exitCode = await verifyAudit(rest);
      return;
    case 'impact':
      process.exitCode = await impact(rest);
      return;
    case 'rollback':
      process.exitCode = await rollback(rest);
      return;
    case 'sync':
      process.exitCode = await sync(rest);
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (
    error instanceof ConfigError ||
    error instanceof UsageError ||
    (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
  ) {
    console.error(`cairn: ${(error as Error).message}`);
    process.exit(2);
  }
  if (error instanceof CommandError) {
    console.error(`cairn: ${redact(error.message)}`);
    process.exit(1);
  }
  log.fatal({ err: error }, 'cairn failed');
  console.error(`cairn: ${redact((error as Error).message)}`);
  process.exit(1);
});
