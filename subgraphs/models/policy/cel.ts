import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';

/** What a policy expression sees (DESIGN.md §4). Null fields are left out, so `has(candidate.gitCommit)` works. */
export interface PolicyContext {
  candidate: Record<string, unknown>;
  current: Record<string, unknown> | null;
  features: { id: string; name: string; quality: string; openIncidents: number }[];
  approvals: { actor: string; role: string | null; to: string }[];
  actor: { name: string; roles: string[] };
  target: string;
  now: Date;
}

export type Evaluation = { outcome: 'PASSED' } | { outcome: 'FAILED' } | { outcome: 'ERRORED'; error: string };

const env = celEnv();
type Program = ReturnType<typeof plan>;

/** A representative context, used to catch unknown variables and non-boolean results when a policy is applied. */
const SAMPLE: PolicyContext = {
  candidate: {
    id: 'modelVersion:builtin:m/2',
    version: 2,
    model: 'm',
    provider: 'builtin',
    stage: 'STAGING',
    aliases: [],
    tags: [],
    metrics: {},
    params: {},
    fairnessMetrics: {},
  },
  current: null,
  features: [],
  approvals: [],
  actor: { name: 'someone', roles: [] },
  target: 'PRODUCTION',
  now: new Date(0),
};

function bindings(context: PolicyContext) {
  return { ...context, now: timestampFromDate(context.now) } as never;
}

/**
 * Parses and plans a CEL expression. Answers the program, or the reason it cannot be a policy:
 * a syntax error, a variable the context does not have, or a result that is not a boolean.
 */
export function compilePolicy(expression: string): { program: Program } | { error: string } {
  let program: Program;
  try {
    program = plan(env, parse(expression));
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0]!.replace(/^<input>:/, 'at ') };
  }
  const sample = program(bindings(SAMPLE));
  if (isCelError(sample)) {
    // Missing fields are expected on a sample (metrics differ per model); unknown variables are not.
    if (/unresolved attribute|undeclared/i.test(sample.message)) {
      return {
        error: `${sample.message}: a policy can use candidate, current, features, approvals, actor, target and now`,
      };
    }
  } else if (typeof sample !== 'boolean') {
    return { error: 'the expression must evaluate to true or false' };
  }
  return { program };
}

const programs = new Map<string, Program>();

/** Evaluates a policy; anything but `true` fails it, and an evaluation error fails closed. */
export function evaluatePolicy(expression: string, context: PolicyContext): Evaluation {
  let program = programs.get(expression);
  if (!program) {
    const compiled = compilePolicy(expression);
    if ('error' in compiled) return { outcome: 'ERRORED', error: compiled.error };
    program = compiled.program;
    programs.set(expression, program);
  }
  let result: unknown;
  try {
    result = program(bindings(context));
  } catch (error) {
    return { outcome: 'ERRORED', error: (error as Error).message };
  }
  if (isCelError(result)) return { outcome: 'ERRORED', error: result.message };
  if (typeof result !== 'boolean')
    return { outcome: 'ERRORED', error: 'the expression did not evaluate to true or false' };
  return result ? { outcome: 'PASSED' } : { outcome: 'FAILED' };
}
