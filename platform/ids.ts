import { InputError } from './errors.ts';

/**
 * Global IDs are `<kind>:<provider>:<native id>`: stable across syncs and restarts, and opaque to
 * clients (they pass them back, they do not parse them).
 */
export type AssetKind = 'featureView' | 'feature' | 'dataset' | 'model' | 'modelVersion' | 'endpoint' | 'deployment';

export const ASSET_KINDS: readonly AssetKind[] = [
  'featureView',
  'feature',
  'dataset',
  'model',
  'modelVersion',
  'endpoint',
  'deployment',
];

export interface GlobalId {
  kind: AssetKind;
  provider: string;
  nativeId: string;
}

export function globalId(kind: AssetKind, provider: string, nativeId: string): string {
  return `${kind}:${provider}:${nativeId}`;
}

/** Parses a global ID, or throws BAD_USER_INPUT naming the argument. */
export function parseGlobalId(id: string, argument = 'id', expected?: AssetKind): GlobalId {
  const first = id.indexOf(':');
  const second = first < 0 ? -1 : id.indexOf(':', first + 1);
  const kind = id.slice(0, first) as AssetKind;
  if (first <= 0 || second <= first + 1 || second === id.length - 1 || !ASSET_KINDS.includes(kind)) {
    throw new InputError([{ path: argument, message: `${JSON.stringify(id)} is not a Cairn ID` }]);
  }
  if (expected && kind !== expected) {
    throw new InputError([{ path: argument, message: `expected a ${expected} ID, got a ${kind} ID` }]);
  }
  return { kind, provider: id.slice(first + 1, second), nativeId: id.slice(second + 1) };
}
