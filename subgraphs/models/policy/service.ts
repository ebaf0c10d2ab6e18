import { z } from 'zod';
import type { Database, Transaction } from '../../../platform/database.ts';
import { InputError } from '../../../platform/errors.ts';
import { Stage, PolicySeverity } from '../../../prisma/generated/enums.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import { compilePolicy } from './cel.ts';
import { PolicyRepository } from './repository.ts';

export const applyPolicySchema = z.object({
  name: z.string().regex(NAME_PATTERN, NAME_RULE),
  appliesTo: z.enum(Stage),
  expression: z.string().min(1).max(10_000),
  message: z.string().min(1).max(1000),
  severity: z.enum(PolicySeverity).nullish(),
  modelPattern: z
    .string()
    .regex(/^[\w.*?-]{1,128}$/, 'a glob of letters, digits, _ . - with * and ?')
    .nullish(),
  enabled: z.boolean().nullish(),
});
export type ApplyPolicy = z.infer<typeof applyPolicySchema>;

function compileCheck(input: { expression?: unknown }) {
  if (typeof input?.expression !== 'string' || !input.expression) return [];
  const compiled = compilePolicy(input.expression);
  return 'error' in compiled ? [{ path: ['expression'], message: `does not compile: ${compiled.error}` }] : [];
}

/** `fraud-*` -> /^fraud-.*$/ */
export function globMatches(pattern: string | null, name: string): boolean {
  if (!pattern) return true;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

/**
 * Checks a whole list of policies (a policy file's) without touching the database: every problem
 * of every policy, and duplicate names, in one InputError.
 */
export function parsePolicySpecs(specs: unknown[]): ApplyPolicy[] {
  const problems: { path: string; message: string }[] = [];
  const parsed = specs.flatMap((spec, index) => {
    try {
      return [parseInput(applyPolicySchema, spec, { root: `policies.${index}`, crossChecks: compileCheck })];
    } catch (error) {
      problems.push(...(error as InputError).problems);
      return [];
    }
  });
  const names = specs.map((spec) => (spec as { name?: unknown })?.name);
  names.forEach((name, index) => {
    if (name !== undefined && names.indexOf(name) !== index)
      problems.push({ path: `policies.${index}.name`, message: `duplicate policy name ${JSON.stringify(name)}` });
  });
  if (problems.length) throw new InputError(problems);
  return parsed;
}

export class PolicyService {
  readonly repository: PolicyRepository;

  constructor(private readonly db: Database) {
    this.repository = new PolicyRepository(db);
  }

  /**
   * Creates or changes a policy. The expression must compile (BAD_USER_INPUT otherwise). An
   * identical definition keeps the current version; any change makes version + 1, so what was in
   * force at any time stays readable.
   */
  async apply(input: unknown, actor: string, options: { source?: 'API' | 'FILE'; requestId?: string } = {}) {
    const spec = parseInput(applyPolicySchema, input, { crossChecks: compileCheck });
    return this.db.$transaction((tx) => this.applyIn(tx, spec, actor, options));
  }

  private async applyIn(
    tx: Transaction,
    spec: ApplyPolicy,
    actor: string,
    options: { source?: 'API' | 'FILE'; requestId?: string },
  ) {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`policy:${spec.name}`}))`;
    const latest = await this.repository.latest(tx, spec.name);
    const definition = {
      appliesTo: spec.appliesTo,
      expression: spec.expression,
      message: spec.message,
      severity: spec.severity ?? 'BLOCK',
      modelPattern: spec.modelPattern ?? null,
      enabled: spec.enabled ?? true,
    };
    if (
      latest &&
      (Object.keys(definition) as (keyof typeof definition)[]).every((key) => latest[key] === definition[key])
    )
      return latest;
    const policy = await this.repository.create(tx, {
      name: spec.name,
      version: (latest?.version ?? 0) + 1,
      ...definition,
      source: options.source ?? 'API',
      createdBy: actor,
    });
    await recordAudit(tx, {
      actor,
      action: 'applyPolicy',
      subjectId: `policy:${spec.name}`,
      requestId: options.requestId,
      payload: { version: policy.version, ...definition, source: policy.source },
    });
    return policy;
  }

  /** Applies every policy of a policy file in one transaction: all of them, or none when one is invalid. */
  async applyAll(specs: unknown[], actor: string, source: 'FILE') {
    const parsed = parsePolicySpecs(specs);
    return this.db.$transaction(async (tx) => {
      const applied = [];
      for (const spec of parsed) applied.push(await this.applyIn(tx, spec, actor, { source }));
      return applied;
    });
  }

  list() {
    return this.repository.current();
  }

  history(name: string) {
    return this.repository.history(name);
  }
}
