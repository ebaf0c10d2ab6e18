import { describe, expect, it } from 'vitest';
import { redact } from './log.ts';

describe('redact', () => {
  it.each([
    ['connect failed: postgres://cairn:s3cret@db:5432/cairn', 'connect failed: postgres://cairn:***@db:5432/cairn'],
    ['redis://:s3cret@cache:6379', 'redis://:***@cache:6379'],
    ['bad login password=s3cret; retrying', 'bad login password=***; retrying'],
    ['{"token": "s3cret"}', '{"token": ***}'],
    ['Authorization: Bearer-s3cret', 'Authorization: ***'],
  ])('masks the secret in %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
    expect(redact(text)).not.toContain('s3cret');
  });

  it('leaves text without secrets alone', () => {
    expect(redact('feature view driver_stats applied at http://localhost:4000/graphql')).toBe(
      'feature view driver_stats applied at http://localhost:4000/graphql',
    );
  });
});
