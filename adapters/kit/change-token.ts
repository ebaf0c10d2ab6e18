import { createHash } from 'node:crypto';

/**
 * Change tokens: what a listing shows of an asset, reduced to a string that changes whenever the
 * asset does. The sync engine describes an asset again only when its token differs from the last
 * sync's, so a token must change with every change Cairn catalogs; one that changes too often
 * only costs describe calls.
 */

/** A short stable hash of a JSON value (equal values, equal hashes; key order is the caller's). */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

export const changeToken = {
  /**
   * From a modification time the listing shows, with any state it shows beside it (a status can
   * change without the time moving). The cheapest and most exact token a cloud offers.
   */
  modified(at: Date | undefined, ...state: (string | number | undefined)[]): string {
    return [at?.getTime() ?? 0, ...state].join(':');
  },
  /**
   * From the fields the listing shows, when it has no modification time: changes when one of them
   * does. Edits to fields the listing does not show go unnoticed until a full sync.
   */
  of(...fields: unknown[]): string {
    return fingerprint(fields);
  },
};
