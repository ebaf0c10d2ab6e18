/**
 * Cairn's own domain vocabulary, shared by every adapter and the services that call them. The
 * catalog's database enums carry the same values; adapters never see the database's types.
 */

/** Where a model version stands in its life cycle. */
export const Stage = {
  NONE: 'NONE',
  STAGING: 'STAGING',
  PRODUCTION: 'PRODUCTION',
  ARCHIVED: 'ARCHIVED',
} as const;
export type Stage = (typeof Stage)[keyof typeof Stage];
