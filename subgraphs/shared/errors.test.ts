import { describe, expect, it } from 'vitest';
import { ConflictError, InputError, NotFoundError, UpstreamUnavailableError } from '../../platform/errors.ts';
import { toGraphQLError } from './errors.ts';

describe('the error vocabulary as GraphQL errors', () => {
  it.each([
    [new InputError([{ path: 'input.name', message: 'bad' }]), 'BAD_USER_INPUT'],
    [new NotFoundError('Feature', 'x'), 'NOT_FOUND'],
    [new ConflictError('stale version'), 'CONFLICT'],
    [new UpstreamUnavailableError('sagemaker', 'throttled'), 'UPSTREAM_UNAVAILABLE'],
  ])('maps %s to its stable code', (error, code) => {
    const mapped = toGraphQLError(error);
    expect(mapped.extensions.code).toBe(code);
    expect(mapped.message).toBe(error.message);
  });

  it('hides anything else behind INTERNAL_SERVER_ERROR, keeping SQL and secrets out of the answer', () => {
    const mapped = toGraphQLError(new Error('relation "x" does not exist; password=hunter2'));
    expect(mapped.extensions.code).toBe('INTERNAL_SERVER_ERROR');
    expect(mapped.message).toMatch(/^internal error \(error id \w+\)$/);
    expect(JSON.stringify(mapped.toJSON())).not.toContain('hunter2');
  });
});
