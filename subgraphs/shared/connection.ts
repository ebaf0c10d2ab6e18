import { Directive, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import { InputError } from '../../platform/errors.ts';

/**
 * Relay-style connections: `first`/`after` in, `{ edges { cursor node } nodes pageInfo totalCount }`
 * out, with opaque cursors. Every list that can grow pages this way; `MAX_PAGE` bounds `first`.
 */

/** The most items one page may ask for; more is BAD_USER_INPUT. */
export const MAX_PAGE = 500;

@Directive('@shareable')
@ObjectType({ description: 'Where a page of a connection sits in the whole list.' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean, { description: 'True when the page was asked for with `after` (items come before it).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "The first item's cursor." })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page.' })
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
    @Field(() => String, { description: 'Pass as `after` for the items after this one.' })
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
