/**
 * The adapter kit: what every cloud adapter needs around its SDK and does the same way. Paging
 * (continuation tokens in, the sync engine's pages out), change tokens, bounded concurrency
 * (p-map) and error translation into Cairn's vocabulary. An adapter supplies only what is its
 * cloud's own: the calls, the mapping to Cairn's records, and its error conventions.
 */
export { listPages, pagesOf, rebatch, type ListingResponse } from './paging.ts';
export { changeToken, fingerprint } from './change-token.ts';
export { mapBounded, OnceByKey } from './concurrency.ts';
export {
  callOwner,
  classifyOwnerError,
  describeOrNull,
  translateOwnerError,
  type OwnerCallOptions,
  type OwnerErrorInfo,
  type OwnerFault,
} from './errors.ts';
