import { InputError, NotFoundError, type InputProblem } from '../../../platform/errors.ts';
import { ASSET_KINDS, parseGlobalId, type AssetKind } from '../../../platform/ids.ts';
import { ref } from '../references.ts';
import type { LineageRepository } from './repository.ts';
import { LineageDirection, type LineageEdgeView, type LineageGraph, type LineageNode } from './type.ts';

export const DEFAULT_NODE_LIMIT = 1000;
export const MAX_NODE_LIMIT = 10_000;
export const MAX_DEPTH = 20;

export interface LineageArgs {
  id: string;
  direction: LineageDirection;
  depth: number;
  asOf: Date | null;
  kinds: string[] | null;
  limit: number;
}

/** A lineage node for a global ID: its parts, and a reference on the field of its kind. */
export function lineageNode(id: string, depth: number): LineageNode {
  const { kind, provider, nativeId } = parseGlobalId(id);
  return {
    id,
    kind,
    name: nativeId,
    provider,
    depth,
    feature: kind === 'feature' ? ref(id) : null,
    featureView: kind === 'featureView' ? ref(id) : null,
    dataset: kind === 'dataset' ? ref(id) : null,
    modelVersion: kind === 'modelVersion' ? ref(id) : null,
    deployment: kind === 'deployment' ? ref(id) : null,
    endpoint: kind === 'endpoint' ? ref(id) : null,
  };
}

/** Edges may name assets written with foreign IDs (an import gone wrong); those are left out rather than failing the answer. */
function isGlobalId(id: string) {
  try {
    parseGlobalId(id);
    return true;
  } catch {
    return false;
  }
}

export class LineageService {
  constructor(
    private readonly repository: LineageRepository,
    private readonly clock: () => Date,
  ) {}

  async lineage(args: LineageArgs): Promise<LineageGraph> {
    const problems: InputProblem[] = [];
    let kind: AssetKind | null = null;
    try {
      kind = parseGlobalId(args.id).kind;
    } catch (error) {
      problems.push(...(error as InputError).problems);
    }
    if (!Number.isInteger(args.depth) || args.depth < 0 || args.depth > MAX_DEPTH)
      problems.push({ path: 'depth', message: `must be between 0 and ${MAX_DEPTH}` });
    if (!Number.isInteger(args.limit) || args.limit < 1 || args.limit > MAX_NODE_LIMIT)
      problems.push({ path: 'limit', message: `must be between 1 and ${MAX_NODE_LIMIT}` });
    for (const [i, k] of (args.kinds ?? []).entries()) {
      if (!ASSET_KINDS.includes(k as AssetKind))
        problems.push({ path: `kinds.${i}`, message: `${JSON.stringify(k)} is not one of ${ASSET_KINDS.join(', ')}` });
    }
    if (problems.length > 0 || !kind) throw new InputError(problems);

    const asOf = args.asOf ?? this.clock();
    const directions: ('D' | 'U')[] =
      args.direction === LineageDirection.UPSTREAM
        ? ['U']
        : args.direction === LineageDirection.DOWNSTREAM
          ? ['D']
          : ['U', 'D'];
    const walk = await this.repository.walk({
      id: args.id,
      kind,
      directions,
      depth: args.depth,
      asOf,
      // One node more than asked, to know whether the answer was cut.
      nodeLimit: args.limit + 1,
      // A node appears at most once per (direction, depth); this bounds the walk's rows, never memory by the graph's size.
      rowCap: (args.limit + 1) * (args.depth + 1) * directions.length,
    });
    if (!walk.known) throw new NotFoundError(kind, args.id);

    const ordered = walk.nodes
      .filter((n) => isGlobalId(n.id))
      .sort((a, b) => a.depth - b.depth || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const truncated = ordered.length > args.limit || walk.capped;
    const kept = ordered.slice(0, args.limit);
    const kinds = args.kinds && args.kinds.length > 0 ? new Set(args.kinds) : null;
    const shown = kept.filter((n) => n.id === args.id || !kinds || kinds.has(parseGlobalId(n.id).kind));
    const ids = new Set(shown.map((n) => n.id));
    const edges: LineageEdgeView[] = walk.edges
      .filter((e) => ids.has(e.fromId) && ids.has(e.toId))
      .map((e) => ({
        from: e.fromId,
        to: e.toId,
        relation: e.relation,
        provider: e.providerName,
        source: e.source,
        validFrom: e.validFrom,
        validTo: e.validTo,
      }));
    if (kind === 'featureView') {
      // A view's features come from the catalog, not from edges: show them as HAS_FEATURE.
      for (const node of shown) {
        if (node.depth === 0 && node.id !== args.id) {
          edges.push({
            from: args.id,
            to: node.id,
            relation: 'HAS_FEATURE',
            provider: parseGlobalId(args.id).provider,
            source: 'CATALOG',
            validFrom: null,
            validTo: null,
          });
        }
      }
    }
    edges.sort((a, b) => (a.from + a.to + a.relation < b.from + b.to + b.relation ? -1 : 1));
    return { root: args.id, asOf, nodes: shown.map((n) => lineageNode(n.id, n.depth)), edges, truncated };
  }
}
