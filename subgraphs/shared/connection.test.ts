import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../platform/errors.ts';
import { cursorCodec, encodeCursor, pageRequest, timeKeyCursors, toPage } from './connection.ts';

const NUMBERS = cursorCodec<string>(
  'numbers',
  (key) => [key],
  (parts) => (parts.length === 1 && /^\d+$/.test(parts[0]!) ? parts[0]! : null),
);
const LIST = ['1', '2', '3', '4', '5'];

/** The list read the way a repository would: `size + 1` rows from the cursor in the page's direction. */
function read(args: Parameters<typeof pageRequest>[1]) {
  const page = pageRequest(NUMBERS, args, 2);
  const from = page.cursor == null ? null : LIST.indexOf(page.cursor);
  const rows = page.backward
    ? LIST.slice(0, from ?? LIST.length)
        .reverse()
        .slice(0, page.size + 1)
    : LIST.slice(from == null ? 0 : from + 1).slice(0, page.size + 1);
  return toPage(rows, page, NUMBERS, (n) => n, LIST.length);
}

function problemsOf(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems;
  }
  throw new Error('expected an InputError');
}

describe('pageRequest and toPage', () => {
  it('pages forward with first/after and backward with last/before, edges always in list order', () => {
    const first = read({ first: 2 });
    expect(first.nodes).toEqual(['1', '2']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = read({ first: 2, after: first.pageInfo.endCursor });
    expect(next.nodes).toEqual(['3', '4']);
    expect(next.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });

    const last = read({ last: 2 });
    expect(last.nodes).toEqual(['4', '5']);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const before = read({ last: 2, before: last.pageInfo.startCursor });
    expect(before.nodes).toEqual(['2', '3']);
    const start = read({ last: 2, before: before.pageInfo.startCursor });
    expect(start.nodes).toEqual(['1']);
    expect(start.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(start.edges.map((e) => e.cursor)).toEqual([start.pageInfo.startCursor]);
  });

  it('reads the default size in the direction a lone cursor asks', () => {
    expect(read({}).nodes).toEqual(['1', '2']);
    expect(read({ before: NUMBERS.encode('3') }).nodes).toEqual(['1', '2']);
  });

  it('refuses mixed directions, sizes out of range and cursors of another list', () => {
    expect(problemsOf(() => pageRequest(NUMBERS, { first: 2, last: 2 }))).toEqual([
      { path: 'last', message: 'give first or last, not both' },
    ]);
    expect(problemsOf(() => pageRequest(NUMBERS, { last: 2, after: NUMBERS.encode('1') }))[0]?.path).toBe('after');
    expect(problemsOf(() => pageRequest(NUMBERS, { first: 2, before: NUMBERS.encode('1') }))[0]?.path).toBe('before');
    expect(problemsOf(() => pageRequest(NUMBERS, { last: 0 }))).toEqual([
      { path: 'last', message: 'must be between 1 and 500' },
    ]);
    const notOurs = [{ path: 'after', message: 'is not a cursor this list gave' }];
    expect(problemsOf(() => pageRequest(NUMBERS, { first: 2, after: encodeCursor('1') }))).toEqual(notOurs);
    expect(problemsOf(() => pageRequest(NUMBERS, { first: 2, after: NUMBERS.encode('x') }))).toEqual(notOurs);
    expect(problemsOf(() => pageRequest(NUMBERS, { first: 2, after: '%%%' }))).toEqual(notOurs);
    const times = timeKeyCursors('times');
    expect(times.decode(times.encode({ at: new Date('2026-01-02T03:04:05.006Z'), id: 'a' }))).toEqual({
      at: new Date('2026-01-02T03:04:05.006Z'),
      id: 'a',
    });
    expect(times.decode(NUMBERS.encode('1'))).toBeNull();
  });
});
