import { parseArgs } from 'node:util';
import { log, redact } from '../adapters/core/log.ts';
import { readSupergraph, writeSupergraph, composeSupergraph, SUBGRAPH_PORTS } from '../gateway/supergraph.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { startDatabase } from '../adapters/builtin/database.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../subgraphs/index.ts';
import { ConfigError, parseConfig } from './config.ts';
import { startCairn } from './runtime.ts';

const USAGE = `cairn — the Cairn control plane

Usage:
  cairn serve                          gateway + all four subgraphs in one process (PORT, default 4000)
  cairn serve --only <subgraph> [--port N]
                                       one subgraph alone (needs DATABASE_URL); subgraphs: ${SUBGRAPH_NAMES.join(', ')}
  cairn serve --subgraph <name>=<url>  gateway calling that subgraph over HTTP (repeatable; also CAIRN_SUBGRAPH_URLS)
  cairn migrate                        apply pending database migrations and exit
  cairn compose [--check]              write gateway/supergraph.graphql from the subgraphs (--check: fail if stale)

Environment: PORT, HOST, DATABASE_URL, REDIS_URL, CAIRN_DATA_DIR (.cairn), CAIRN_DEMO (on|off),
CAIRN_ACTOR (local), CAIRN_SUBGRAPH_TIMEOUT_MS (5000), CAIRN_SUBGRAPH_URLS, LOG_LEVEL (info). See README.md.`;

class UsageError extends Error {}

async function serve(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { only: { type: 'string' }, port: { type: 'string' }, subgraph: { type: 'string', multiple: true } },
  });
  const env = { ...process.env };
  if (values.only && !SUBGRAPH_NAMES.includes(values.only as SubgraphName)) {
    throw new UsageError(`--only takes one of ${SUBGRAPH_NAMES.join(', ')}, not ${JSON.stringify(values.only)}`);
  }
  if (values.port) env.PORT = values.port;
  else if (values.only) env.PORT = String(SUBGRAPH_PORTS[values.only as SubgraphName]);
  if (values.subgraph?.length) env.CAIRN_SUBGRAPH_URLS = [env.CAIRN_SUBGRAPH_URLS, ...values.subgraph].filter(Boolean).join(',');
  const config = parseConfig(env);
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
  const database = await startDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const { applied } = await applyMigrations(database.url, { log: (message) => log.info(message) });
    console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await database.close();
  }
}

async function compose(args: string[]) {
  const { values } = parseArgs({ args, options: { check: { type: 'boolean', default: false } } });
  if (!values.check) {
    await writeSupergraph();
    console.log('wrote gateway/supergraph.graphql');
    return;
  }
  if ((await composeSupergraph()) !== (await readSupergraph())) {
    throw new UsageError('gateway/supergraph.graphql is stale: run `npm run compose`');
  }
  console.log('gateway/supergraph.graphql is current');
}

async function main(argv: string[]) {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'migrate':
      return migrate();
    case 'compose':
      return compose(rest);
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
  if (error instanceof ConfigError || error instanceof UsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`cairn: ${(error as Error).message}`);
    process.exit(2);
  }
  log.fatal({ err: error }, 'cairn failed');
  console.error(`cairn: ${redact((error as Error).message)}`);
  process.exit(1);
});
