import type { z } from 'zod';
import { InputError, type InputProblem } from '../../adapters/core/errors.ts';

/** Lower-case identifier used for names of feature views, features, entities and models. */
export const NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/;
export const NAME_RULE = 'must start with a lower-case letter and hold only a-z, 0-9, _ . - (at most 128)';

/**
 * Parses input with a zod schema, or throws one InputError listing every problem with its path.
 * `crossChecks` run on the raw input too (zod skips refinements once a field fails), so rules that
 * span fields are reported together with the field errors.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
  options: { root?: string; crossChecks?: (input: any) => { path: (string | number)[]; message: string }[] } = {},
): z.infer<S> {
  const root = options.root ?? 'input';
  const result = schema.safeParse(input);
  const issues = [...(result.success ? [] : result.error.issues), ...(options.crossChecks?.(input) ?? [])];
  if (issues.length === 0 && result.success) return result.data;
  const problems: InputProblem[] = issues.map((issue) => ({
    path: [root, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new InputError(problems);
}
