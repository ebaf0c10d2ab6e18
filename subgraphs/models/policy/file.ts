import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { InputError } from '../../../platform/errors.ts';
import { log } from '../../../platform/log.ts';
import { parsePolicySpecs, type PolicyService } from './service.ts';

/**
 * Policy as code: loads `policies:` from a YAML file in the repository at start and applies each
 * one (unchanged policies keep their version). The whole file is refused when any policy in it is
 * invalid, with every problem listed. `readPolicyFile` reads and checks it without a database, so a
 * process refuses a bad file before it starts anything.
 *
 * ```yaml
 * policies:
 *   - name: auc-floor
 *     appliesTo: PRODUCTION
 *     expression: candidate.metrics.auc >= 0.8
 *     message: AUC must be at least 0.8 in production
 *     severity: BLOCK          # or WARN
 *     modelPattern: fraud-*    # optional
 * ```
 */
export async function readPolicyFile(path: string): Promise<unknown[]> {
  let document: unknown;
  try {
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError([
      { path, message: `cannot read the policy file: ${(error as Error).message.split('\n')[0]}` },
    ]);
  }
  const list = (document as { policies?: unknown })?.policies;
  if (!Array.isArray(list)) throw new InputError([{ path, message: 'expected a top-level `policies:` list' }]);
  parsePolicySpecs(list);
  return list;
}

/** Applies the policies `readPolicyFile` answered (unchanged policies keep their version). */
export async function applyPolicyFile(
  path: string,
  list: unknown[],
  policies: PolicyService,
  actor: string,
): Promise<number> {
  const applied = await policies.applyAll(list, actor, 'FILE');
  log.info(
    { path, policies: applied.map((p) => `${p.name}@v${p.version}`) },
    `policy file loaded: ${applied.length} policies`,
  );
  return applied.length;
}
