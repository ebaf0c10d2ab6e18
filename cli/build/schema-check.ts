// `npm run schema:check`: the public API schema (schema.graphql) of the working tree against the one of a base git
// revision; fails on a breaking change the CHANGELOG does not list. Reads git only: never fetches.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CriticalityLevel } from '@graphql-inspector/core';
import { CHANGELOG_RULE, checkSchemaChange } from './schema-contract.ts';

const HELP = `Usage: npm run schema:check [-- --base <rev>]

Compares schema.graphql (the public API schema, written by \`npm run compose\`) of the working tree with
the one of a base git revision: --base, else SCHEMA_BASE, else HEAD~1. Prints every change with its
criticality (BREAKING, DANGEROUS, NON_BREAKING).

${CHANGELOG_RULE}

Passes with a message when the default base does not exist (a single commit, a shallow clone, no git)
or has no schema.graphql. Exit codes: 0 passed, 1 an unlisted breaking change, 2 an error (an explicit
base that does not resolve, an unreadable schema).`;

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs git in the repository without touching the network (no lazy fetch of a partial clone, no prompt). */
function git(args: string[]) {
  return spawnSync('git', ['-C', root, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_NO_LAZY_FETCH: '1', GIT_TERMINAL_PROMPT: '0' },
  });
}

function fail(message: string): never {
  console.error(`schema:check: ${message}`);
  process.exit(2);
}

async function main() {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const explicit = values.base ?? (process.env.SCHEMA_BASE || undefined);
  const base = explicit ?? 'HEAD~1';

  const commit = git(['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
  if (commit.error || commit.status !== 0) {
    if (explicit) fail(`base revision ${base} does not resolve to a commit in this clone (nothing is fetched)`);
    console.log(`schema:check: no previous commit (${base}) in this clone: nothing to compare, passed`);
    return;
  }
  const sha = commit.stdout.trim();
  const short = sha.slice(0, 12);
  if (git(['cat-file', '-e', `${sha}:schema.graphql`]).status !== 0) {
    console.log(`schema:check: ${base} (${short}) has no schema.graphql: nothing to compare, passed`);
    return;
  }
  const shown = git(['show', `${sha}:schema.graphql`]);
  if (shown.status !== 0) fail(`git show ${short}:schema.graphql failed: ${shown.stderr.trim()}`);

  let current: string;
  try {
    current = readFileSync(`${root}schema.graphql`, 'utf8');
  } catch {
    fail('schema.graphql is missing from the working tree: run `npm run compose`');
  }
  let changelog = '';
  try {
    changelog = readFileSync(`${root}CHANGELOG.md`, 'utf8');
  } catch {
    // No CHANGELOG: no breaking change is listed.
  }

  const verdict = await checkSchemaChange(shown.stdout, current, changelog);
  console.log(`schema:check: schema.graphql against ${base} (${short}): ${verdict.changes.length} change(s)`);
  for (const change of verdict.changes) {
    const note =
      change.level === CriticalityLevel.Breaking
        ? change.listed
          ? '  [listed in CHANGELOG.md]'
          : '  [NOT LISTED]'
        : '';
    console.log(`  ${change.level.padEnd(12)} ${change.name}: ${change.message}${note}`);
  }
  if (verdict.ok) {
    console.log('schema:check: passed');
    return;
  }
  const where = verdict.section
    ? `the section "${verdict.section}" of CHANGELOG.md`
    : 'CHANGELOG.md (it has no ## section)';
  console.error(
    `schema:check: ${verdict.unlisted.length} breaking change(s) not listed in ${where}: ${verdict.unlisted
      .map((change) => change.name)
      .join(', ')}\n` +
      'Avoid the break (deprecate first: @deprecated(reason: "use X")), or add a line naming each path to the ' +
      'topmost section of CHANGELOG.md.',
  );
  process.exit(1);
}

await main();
