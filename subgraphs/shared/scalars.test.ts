import { parseValue } from 'graphql';
import { describe, expect, it } from 'vitest';
import { JSONScalar } from './scalars.ts';

/** A value nested `levels` deep: {a: {a: … 1}}. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('the JSON scalar (stored as jsonb)', () => {
  it('takes JSON within the bound as it is, from a variable or a literal', () => {
    expect(JSONScalar.parseValue({ depth: 8, layers: [1, 2, { ok: 'é🙂\u0001' }] })).toEqual({
      depth: 8,
      layers: [1, 2, { ok: 'é🙂\u0001' }],
    });
    expect(JSONScalar.parseLiteral(parseValue('{ depth: 8, name: "x" }'))).toEqual({ depth: 8, name: 'x' });
    expect(JSONScalar.parseValue(nested(64))).toEqual(nested(64));
  });

  it('refuses, as BAD_USER_INPUT, nesting past 64 levels, NUL and lone surrogates in values and keys', () => {
    for (const [value, message] of [
      [nested(2000), /nested deeper than 64 levels/],
      [{ a: ['x\u0000'] }, /^a\.0 must not contain the NUL character/],
      [{ 'k\u0000': 1 }, /has a key that must not contain the NUL character/],
      [{ a: '\ud800' }, /^a must be well-formed Unicode/],
    ] as const) {
      let thrown: any;
      try {
        JSONScalar.parseValue(value);
      } catch (error) {
        thrown = error;
      }
      expect(thrown?.message).toMatch(message);
      expect(thrown?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const deepLiteral = parseValue('{ a: '.repeat(100) + '1' + ' }'.repeat(100));
    expect(() => JSONScalar.parseLiteral(deepLiteral)).toThrow(/nested deeper than 64 levels/);
  });
});
