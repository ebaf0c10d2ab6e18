/**
 * Paging for cloud listings. Every cloud pages its listings with an opaque continuation token
 * (SageMaker `NextToken`, Vertex AI `pageToken`, Azure `nextLink`); the sync engine wants pages of
 * its own size (one catalog transaction each). These two steps are the same for every adapter.
 */

/** One response of a token-paged listing. */
export interface ListingResponse<T> {
  items: readonly T[] | undefined;
  /** The token of the next response; absent, null or empty on the last one. */
  nextToken?: string | null;
}

/**
 * Every response of a token-paged listing, in order, one array per response. An empty token ends
 * the listing (some SageMaker listings answer `NextToken: ""` on their last page). A token the
 * owner already answered ends it too: a listing that points back at itself would never finish.
 */
export async function* listPages<T>(
  fetch: (token: string | undefined) => Promise<ListingResponse<T>>,
): AsyncIterable<T[]> {
  const seen = new Set<string>();
  let token: string | undefined;
  do {
    const { items, nextToken } = await fetch(token);
    yield [...(items ?? [])];
    token = nextToken || undefined;
    if (token !== undefined) {
      if (seen.has(token)) return;
      seen.add(token);
    }
  } while (token !== undefined);
}

/** Regroups a listing's responses into pages of `size` items (the last one shorter), in order. */
export async function* rebatch<T>(source: AsyncIterable<readonly T[]>, size: number): AsyncIterable<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`page size must be a positive integer, not ${size}`);
  let buffer: T[] = [];
  for await (const items of source) {
    buffer.push(...items);
    while (buffer.length >= size) {
      yield buffer.slice(0, size);
      buffer = buffer.slice(size);
    }
  }
  if (buffer.length) yield buffer;
}

/** Pages of `size` over items an adapter reads whole (a lineage graph it must walk before it can list). */
export function pagesOf<T>(read: () => Promise<readonly T[]>, size: number): AsyncIterable<T[]> {
  return rebatch(
    (async function* () {
      yield await read();
    })(),
    size,
  );
}
