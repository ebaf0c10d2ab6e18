/**
 * Checks on values that come from a caller before they reach the database or a recursive walk:
 * PostgreSQL refuses the NUL character in text and JSON (22021 / 22P05), jsonb refuses a lone
 * surrogate, and a deeply nested value overflows the stack of whatever walks it (JSON.stringify,
 * Prisma, a recursive parser). Both are the caller's mistake and are refused as bad input.
 */

/** The deepest nesting of objects and lists accepted in a value from a caller (GraphQL arguments, JSON arguments, inference bodies). */
export const MAX_INPUT_DEPTH = 64;

export interface UntrustedValueProblem {
  path: (string | number)[];
  message: string;
}

// With the u flag a lone surrogate is one code point of category Cs; paired surrogates are not.
const UNSTORABLE_TEXT = /\u0000|\p{Cs}/u;

/** Why a string cannot be stored as text, or null when it can. */
export function textProblem(text: string): string | null {
  if (!UNSTORABLE_TEXT.test(text)) return null;
  return text.includes('\u0000')
    ? 'must not contain the NUL character (U+0000)'
    : 'must be well-formed Unicode (it holds a lone surrogate)';
}

/**
 * The first problem of a caller's value (parsed JSON or GraphQL variables): nested deeper than
 * `maxDepth` objects and lists, or a string or object key that is not storable text. Walks with its
 * own stack, so a hostile depth cannot overflow this check either. `depth` is the nesting the value
 * already sits at (a variable used inside an argument's object literal).
 */
export function untrustedValueProblem(
  value: unknown,
  options: {
    path?: (string | number)[];
    depth?: number;
    maxDepth?: number;
    /** Check the depth only (a value that is forwarded, never stored). */ textAllowed?: boolean;
  } = {},
): UntrustedValueProblem | null {
  const maxDepth = options.maxDepth ?? MAX_INPUT_DEPTH;
  const pending: { value: unknown; path: (string | number)[]; depth: number }[] = [
    { value, path: options.path ?? [], depth: options.depth ?? 0 },
  ];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (typeof item.value === 'string') {
      if (options.textAllowed) continue;
      const message = textProblem(item.value);
      if (message) return { path: item.path, message };
      continue;
    }
    if (!item.value || typeof item.value !== 'object') continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return { path: item.path, message: `is nested deeper than ${maxDepth} levels` };
    if (Array.isArray(item.value)) {
      for (let i = item.value.length - 1; i >= 0; i--)
        pending.push({ value: item.value[i], path: [...item.path, i], depth });
      continue;
    }
    const entries = Object.entries(item.value as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const keyMessage = options.textAllowed ? null : textProblem(key);
      if (keyMessage) return { path: [...item.path, key], message: `has a key that ${keyMessage}` };
      pending.push({ value: child, path: [...item.path, key], depth });
    }
  }
  return null;
}

/** A problem's path as Cairn's InputError paths read (`input.params.a.0`). */
export function problemPath(path: (string | number)[]): string {
  return path.map(String).join('.');
}
