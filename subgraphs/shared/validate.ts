import { z } from 'zod';
import { InputError, type InputProblem } from '../../adapters/core/errors.ts';
import { parseGlobalId, type AssetKind } from '../../adapters/core/ids.ts';

/** Lower-case identifier used for names of feature views, features, entities and models. */
export const NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/;
export const NAME_RULE = 'must start with a lower-case letter and hold only a-z, 0-9, _ . - (at most 128)';

/** An http:// or https:// URL without white space (webhook receivers, model servers). */
export const HTTP_URL_PATTERN = /^https?:\/\/\S+$/;
export const httpUrl = z.string().max(2048).regex(HTTP_URL_PATTERN, 'must be an http:// or https:// URL');

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

/**
 * For `crossChecks`: the problem with `input[field]` when it is a string but not a global ID of
 * `kind` (a missing or non-string value is left to the zod schema to report).
 */
export function globalIdProblems(input: any, field: string, kind: AssetKind): { path: (string | number)[]; message: string }[] {
  const value = input?.[field];
  if (typeof value !== 'string') return [];
  try {
    parseGlobalId(value, field, kind);
    return [];
  } catch (error) {
    return [{ path: [field], message: (error as InputError).problems[0]!.message }];
  }
}
