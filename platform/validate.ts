import { z } from 'zod';
import { InputError, type InputProblem } from './errors.ts';
import { parseGlobalId, type AssetKind } from './ids.ts';

/** Lower-case identifier used for names of feature views, features, entities and models. */
export const NAME_PATTERN = /^[a-z][a-z0-9_.-]{0,127}$/;
export const NAME_RULE = 'must start with a lower-case letter and hold only a-z, 0-9, _ . - (at most 128)';

/**
 * Why `text` is not a URL Cairn can call (webhook receivers, model servers), or null when it is:
 * it must parse by the WHATWG URL rules (what fetch and undici use, so a URL accepted here is one
 * they accept too: no `http://:::`, no port past 65535), be http or https, name a host, and hold
 * no credentials (`user:password@` would be stored and answered in clear, and fetch refuses it).
 * White space and control characters are refused rather than silently dropped by the parser.
 */
export function httpUrlProblem(text: string): string | null {
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return 'must not hold white space or control characters';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an absolute http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not hold credentials (user:password@)';
  return null;
}

export const httpUrl = z
  .string()
  .max(2048)
  .superRefine((text, ctx) => {
    const problem = httpUrlProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

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
export function globalIdProblems(
  input: any,
  field: string,
  kind: AssetKind,
): { path: (string | number)[]; message: string }[] {
  const value = input?.[field];
  if (typeof value !== 'string') return [];
  try {
    parseGlobalId(value, field, kind);
    return [];
  } catch (error) {
    return [{ path: [field], message: (error as InputError).problems[0]!.message }];
  }
}
