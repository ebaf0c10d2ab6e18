import { InputError } from '../../platform/errors.ts';

/** The reason every argument replaced by a mutation's one `input` carries while it is kept (one release). */
export const USE_INPUT = 'use input';

/**
 * A mutation's one `input`, or, while its old arguments are kept deprecated, the same input built
 * from them (their names are the input's field names). Both forms at once, or neither, is
 * BAD_USER_INPUT naming the arguments: an old argument given with `input`, or `input` itself when
 * an argument the old form required is missing too. An argument given as null counts as not given.
 */
export function inputOrDeprecatedArguments<T extends object>(
  input: T | null | undefined,
  deprecated: { [K in keyof T]: T[K] | null | undefined },
  required: readonly (keyof T & string)[],
): T {
  const given = Object.entries(deprecated)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([name]) => name);
  if (input !== null && input !== undefined) {
    if (given.length > 0)
      throw new InputError(
        given.map((name) => ({
          path: name,
          message: 'deprecated argument given together with input: give input only',
        })),
      );
    return input;
  }
  const missing = required.filter((name) => deprecated[name] === null || deprecated[name] === undefined);
  if (missing.length > 0)
    throw new InputError([
      { path: 'input', message: `required (the deprecated ${missing.join(', ')} not given either)` },
    ]);
  return deprecated as T;
}
