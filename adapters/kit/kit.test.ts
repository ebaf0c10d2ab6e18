import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../platform/errors.ts';
import {
  callOwner,
  changeToken,
  classifyOwnerError,
  describeOrNull,
  listPages,
  mapBounded,
  OnceByKey,
  pagesOf,
  rebatch,
} from './index.ts';

async function collect<T>(pages: AsyncIterable<T[]>) {
  const all: T[][] = [];
  for await (const page of pages) all.push(page);
  return all;
}

/** A listing of `items` answered `size` at a time, with opaque tokens; `tokens` records what it was asked. */
function listing(items: number[], size: number, tokens: (string | undefined)[] = []) {
  return async (token: string | undefined) => {
    tokens.push(token);
    const offset = token ? Number(token.slice('t'.length)) : 0;
    const next = offset + size;
    return { items: items.slice(offset, next), nextToken: next < items.length ? `t${next}` : '' };
  };
}

describe('paging', () => {
  it("follows continuation tokens to the end, and regroups the responses into pages of the engine's size", async () => {
    const items = Array.from({ length: 11 }, (_, i) => i);
    const tokens: (string | undefined)[] = [];
    const responses = await collect(listPages(listing(items, 4, tokens)));
    expect(responses).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10],
    ]);
    expect(tokens).toEqual([undefined, 't4', 't8']);
    expect(await collect(rebatch(listPages(listing(items, 4)), 5))).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10]]);
    expect(await collect(pagesOf(async () => items, 6))).toEqual([
      [0, 1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
  });

  it('stops a listing whose owner answers a token it answered before, instead of listing forever', async () => {
    let calls = 0;
    const looping = async () => ({ items: [++calls], nextToken: 'same' });
    expect(await collect(listPages(looping))).toEqual([[1], [2]]);
  });

  it('refuses a page size that is not a positive integer', async () => {
    await expect(collect(rebatch(listPages(listing([1], 1)), 0))).rejects.toThrow(RangeError);
  });
});

describe('change tokens', () => {
  it('change when a field the listing shows changes, and only then', () => {
    expect(changeToken.of('Approved', { Stage: 'Production' })).toBe(
      changeToken.of('Approved', { Stage: 'Production' }),
    );
    expect(changeToken.of('Approved', { Stage: 'Production' })).not.toBe(
      changeToken.of('Approved', { Stage: 'Staging' }),
    );
    const at = new Date('2026-11-01T10:00:00Z');
    expect(changeToken.modified(at, 'InService')).toBe(changeToken.modified(new Date(at), 'InService'));
    expect(changeToken.modified(at, 'InService')).not.toBe(changeToken.modified(at, 'Updating'));
    expect(changeToken.modified(at, 'InService')).not.toBe(
      changeToken.modified(new Date(at.getTime() + 1), 'InService'),
    );
  });
});

describe('bounded concurrency', () => {
  it("keeps at most `limit` calls in flight and answers in the items' order", async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 1, 2], 3, async (ms) => {
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 10, 20]);
    expect(most).toBe(3);
  });

  it('describes a resource once per key, and asks again after a failure', async () => {
    const cache = new OnceByKey<string>();
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls === 1) throw new Error('transient');
      return `config-${calls}`;
    };
    await expect(cache.get('a', flaky)).rejects.toThrow('transient');
    expect(await cache.get('a', flaky)).toBe('config-2');
    expect(await cache.get('a', flaky)).toBe('config-2');
    expect(calls).toBe(2);
  });
});

describe('error translation', () => {
  const aws = (name: string, status: number, attempts = 3) =>
    Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status, attempts } });
  const options = { provider: 'cloud-a', cloud: 'SomeCloud' };

  it('classifies the common SDK shapes: AWS names and statuses, gRPC codes, Azure statuses, network errors', () => {
    expect(classifyOwnerError(aws('ThrottlingException', 400)).fault).toBe('throttled');
    expect(classifyOwnerError(Object.assign(new Error('x'), { code: 8 })).fault).toBe('throttled');
    expect(classifyOwnerError(Object.assign(new Error('x'), { statusCode: 429 })).fault).toBe('throttled');
    expect(classifyOwnerError(aws('ResourceNotFound', 400)).fault).toBe('not-found');
    expect(classifyOwnerError(Object.assign(new Error('x'), { code: 5 })).fault).toBe('not-found');
    expect(classifyOwnerError(Object.assign(new Error('x'), { statusCode: 404 })).fault).toBe('not-found');
    expect(classifyOwnerError(aws('ServiceUnavailable', 503)).fault).toBe('unavailable');
    expect(classifyOwnerError(Object.assign(new Error('x'), { code: 14 })).fault).toBe('unavailable');
    expect(
      classifyOwnerError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toMatchObject({ fault: 'unavailable', name: 'ECONNREFUSED' });
    expect(classifyOwnerError(aws('AccessDeniedException', 403)).fault).toBe('refused');
  });

  it('turns throttling and every other failure into UPSTREAM_UNAVAILABLE naming the provider, with the attempts made', async () => {
    const error = await callOwner(options, 'ListThings', () => Promise.reject(aws('ThrottlingException', 400))).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { provider: 'cloud-a' } });
    expect((error as Error).message).toBe(
      'cloud-a: SomeCloud ListThings failed after 3 attempt(s): ThrottlingException: ThrottlingException message',
    );
    expect(
      await callOwner(options, 'ListThings', () => Promise.reject(aws('AccessDeniedException', 403))).catch(
        (e: unknown) => e,
      ),
    ).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it('answers NOT_FOUND only for a resource the caller named; a describe of a vanished one answers null', async () => {
    const missing = () => Promise.reject(aws('ResourceNotFound', 400));
    expect(
      await callOwner(options, 'DescribeThing', missing, { kind: 'Thing', id: 'a' }).catch((e: unknown) => e),
    ).toBeInstanceOf(NotFoundError);
    expect(await callOwner(options, 'ListThings', missing).catch((e: unknown) => e)).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
    });
    expect(await describeOrNull(options, 'DescribeThing', missing, 'a')).toBeNull();
    await expect(
      describeOrNull(options, 'DescribeThing', () => Promise.reject(aws('ThrottlingException', 400)), 'a'),
    ).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
  });

  it("lets a cloud add its own conventions, and passes Cairn's own errors through", async () => {
    const validation = () => Promise.reject(aws('ValidationException', 400));
    const own = {
      ...options,
      classify: (_: unknown, common: ReturnType<typeof classifyOwnerError>) =>
        common.name === 'ValidationException' ? { ...common, fault: 'not-found' as const } : common,
    };
    expect(
      await callOwner(own, 'DescribeThing', validation, { kind: 'Thing', id: 'a' }).catch((e: unknown) => e),
    ).toBeInstanceOf(NotFoundError);
    const ours = new NotFoundError('Thing', 'b');
    expect(await callOwner(options, 'DescribeThing', () => Promise.reject(ours)).catch((e: unknown) => e)).toBe(ours);
  });

  it("masks secret-looking text in the owner's message", async () => {
    const leaky = Object.assign(new Error('bad request: access_key=AKIA123 secret=hunter2'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });
    const error = (await callOwner(options, 'X', () => Promise.reject(leaky)).catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('AKIA123');
  });
});
