import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { InputError } from '../../platform/errors.ts';

/**
 * Relay-style connections: `first`/`after` in (and, where a list is read from its end, `last`/`before`),
 * `{ edges { cursor node } nodes pageInfo totalCount }` out, with opaque cursors. Every list that can
 * grow pages this way; `MAX_PAGE` bounds `first` and `last`.
 */

/** The most items one page may ask for; more is BAD_USER_INPUT. */
export const MAX_PAGE = 500;

@Directive('@shareable')
@ObjectType({ description: 'Where a page of a connection sits in the whole list.' })
export class PageInfo {
  @Field(() => Boolean, { description: 'More items follow (always true on a page read backward with `before`).' })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description:
      'Items come before it: true when the page was asked for with `after`, or read backward with more before it.',
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "The first item's cursor." })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Pass as `after` for the next page (`startCursor` as `before` for the previous).',
  })
  endCursor!: string | null;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number | null;
}

/** The GraphQL type `<Name>Edge` and the base of `<Name>Connection` (a class of its own, named by the caller) of a node type. */
export function connectionOf<T extends object>(node: ClassType<T>, name: string, totalCountNote = '') {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, {
      description:
        'Pass as `after` for the items after this one (as `before` for those before it, where the list reads backward).',
    })
    cursor!: string;

    @Field(() => node)
    node!: T;
  }

  // Abstract: the concrete `<Name>Connection` class extends it (`class XConnection extends connectionOf(X, 'X') {}`).
  @ObjectType()
  abstract class ConnectionType implements Connection<T> {
    @Field(() => [Edge])
    edges!: { cursor: string; node: T }[];

    @Field(() => [node], { description: 'The nodes of `edges`, for clients that need no cursors.' })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { nullable: true, description: `Items in the whole list.${totalCountNote}` })
    totalCount!: number | null;
  }
  return ConnectionType;
}

/** A cursor for a list ordered by one unique key. */
export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify(['k', key])).toString('base64url');
}

/** Checks `first` and decodes `after`; BAD_USER_INPUT for a size out of range or a cursor no list gave. */
export function pageArgs(first: number, after: string | null | undefined): { first: number; afterKey: string | null } {
  const problems: { path: string; message: string }[] = [];
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
    problems.push({ path: 'first', message: `must be between 1 and ${MAX_PAGE}` });
  let afterKey: string | null = null;
  if (after != null) {
    try {
      const decoded = JSON.parse(Buffer.from(after, 'base64url').toString('utf8')) as unknown;
      if (!Array.isArray(decoded) || decoded.length !== 2 || decoded[0] !== 'k' || typeof decoded[1] !== 'string')
        throw new Error('not a cursor');
      afterKey = decoded[1];
    } catch {
      problems.push({ path: 'after', message: 'is not a cursor this list gave' });
    }
  }
  if (problems.length) throw new InputError(problems);
  return { first, afterKey };
}

/** A page from `first + 1` rows read after the cursor: the extra row only tells that more follow. */
export function toConnection<T>(
  rows: T[],
  first: number,
  keyOf: (row: T) => string,
  totalCount: number | null,
  hadCursor: boolean,
): Connection<T> {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: hadCursor,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

/**
 * The cursors of one list. A cursor names its list and carries the row's sort key as strings, so
 * a cursor of another list, or one made up, is refused instead of silently paging from nowhere.
 */
export interface CursorCodec<K> {
  encode(key: K): string;
  /** The key, or null when the cursor is not one of this list's. */
  decode(cursor: string): K | null;
}

/** Cursors of the list `list`; `fromParts` checks the parts' shape (their number included) and answers null if wrong. */
export function cursorCodec<K>(
  list: string,
  toParts: (key: K) => string[],
  fromParts: (parts: string[]) => K | null,
): CursorCodec<K> {
  return {
    encode: (key) => Buffer.from(JSON.stringify([list, ...toParts(key)])).toString('base64url'),
    decode(cursor) {
      try {
        const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
        if (!Array.isArray(decoded) || decoded[0] !== list) return null;
        const parts = decoded.slice(1);
        return parts.every((part) => typeof part === 'string') ? fromParts(parts as string[]) : null;
      } catch {
        return null;
      }
    },
  };
}

/** A key of a time then an ID (ties on the time broken by the ID), as cursors of lists ordered by time carry it. */
export interface TimeKey {
  at: Date;
  id: string;
}

/** Cursors of a list ordered by a millisecond time then a string ID. */
export function timeKeyCursors(list: string): CursorCodec<TimeKey> {
  return cursorCodec<TimeKey>(
    list,
    (key) => [key.at.toISOString(), key.id],
    (parts) => {
      if (parts.length !== 2 || !parts[1]) return null;
      const at = new Date(parts[0]!);
      return Number.isNaN(at.getTime()) || at.toISOString() !== parts[0] ? null : { at, id: parts[1] };
    },
  );
}

/** `first`/`after` forward, or `last`/`before` backward (the last items of the list, read from its end). */
export interface PageArguments {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** What one page asks of a list: `size` rows on the `backward` or forward side of `cursor` (null: from that end). */
export interface PageRequest<K> {
  backward: boolean;
  size: number;
  cursor: K | null;
}

/**
 * Checks a page's arguments against one list's cursors: `first` or `last` (not both) within 1..MAX_PAGE,
 * `after` only with `first`, `before` only with `last`; BAD_USER_INPUT naming every problem otherwise.
 * Without a size, `defaultSize` items are read in the direction the cursor (if any) asks.
 */
export function pageRequest<K>(codec: CursorCodec<K>, args: PageArguments, defaultSize = 50): PageRequest<K> {
  const problems: { path: string; message: string }[] = [];
  const backward = args.last != null || args.before != null;
  if (args.first != null && args.last != null) problems.push({ path: 'last', message: 'give first or last, not both' });
  else if (backward && args.after != null)
    problems.push({ path: 'after', message: 'pages forward with first; last/before page backward' });
  else if (backward && args.first != null)
    problems.push({ path: 'before', message: 'pages backward with last; first/after page forward' });
  const [sizePath, size] = backward ? ['last', args.last ?? defaultSize] : ['first', args.first ?? defaultSize];
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE)
    problems.push({ path: sizePath, message: `must be between 1 and ${MAX_PAGE}` });
  const [cursorPath, given] = backward ? ['before', args.before] : ['after', args.after];
  const cursor = given == null ? null : codec.decode(given);
  if (given != null && cursor === null) problems.push({ path: cursorPath, message: 'is not a cursor this list gave' });
  if (problems.length) throw new InputError(problems);
  return { backward, size, cursor };
}

/**
 * A page from up to `size + 1` rows read from the cursor in the page's direction (backward pages:
 * in reverse list order); the extra row only tells that more items lie that way. Edges are always
 * in list order.
 */
export function toPage<T, K>(
  rows: T[],
  page: PageRequest<K>,
  codec: CursorCodec<K>,
  keyOf: (row: T) => K,
  totalCount: number | null,
): Connection<T> {
  const more = rows.length > page.size;
  const taken = rows.slice(0, page.size);
  const nodes = page.backward ? taken.reverse() : taken;
  const edges = nodes.map((node) => ({ cursor: codec.encode(keyOf(node)), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: page.backward ? page.cursor != null : more,
      hasPreviousPage: page.backward ? more : page.cursor != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}
