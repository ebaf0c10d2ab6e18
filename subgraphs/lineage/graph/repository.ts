import type pg from 'pg';
import { queryWithoutJit, validAt } from '../sql.ts';

/** An edge row as the walk answers it. */
export interface EdgeRow {
  fromId: string;
  toId: string;
  relation: string;
  providerName: string;
  source: string;
  validFrom: Date | null;
  validTo: Date | null;
}

export interface WalkResult {
  /** The asked-for id has a catalog row or at least one edge (at any time). */
  known: boolean;
  nodes: { id: string; depth: number }[];
  edges: EdgeRow[];
  /** The walk produced as many rows as the cap allowed, so some nodes may be missing. */
  capped: boolean;
}

/** Catalog table per kind, for the NOT_FOUND check (fixed names, never from input). */
const CATALOG_TABLE: Record<string, string> = {
  feature: 'feature',
  featureView: 'feature_view',
  dataset: 'dataset',
  model: 'registered_model',
  modelVersion: 'model_version',
  deployment: 'deployment',
  endpoint: 'endpoint',
};

/**
 * The lineage walk: ONE recursive statement over lineage_edge. Rows are (node, direction, depth)
 * and the recursive UNION drops repeats, so a cycle ends at the depth bound and a node is expanded
 * at most once per depth; the outer LIMIT on the walk stops the recursion early (Postgres
 * evaluates a recursive CTE lazily), which is what keeps a huge fan-out from eating memory.
 */
const WALK_SQL = (catalogTable: string) => `
WITH RECURSIVE
seeds AS (
  SELECT $1::text AS id
  UNION
  SELECT f.id FROM feature f WHERE f.feature_view_id = $1
),
walk(node_id, dir, depth) AS (
  SELECT s.id, d.dir, 0 FROM seeds s CROSS JOIN unnest($2::text[]) AS d(dir)
  UNION
  SELECT n.node_id, w.dir, w.depth + 1
  FROM walk w
  CROSS JOIN LATERAL (
    SELECT e.to_id AS node_id FROM lineage_edge e WHERE w.dir = 'D' AND e.from_id = w.node_id AND ${validAt('e', '$4')}
    UNION ALL
    SELECT e.from_id FROM lineage_edge e WHERE w.dir = 'U' AND e.to_id = w.node_id AND ${validAt('e', '$4')}
  ) n
  WHERE w.depth < $3
),
capped AS (SELECT * FROM walk LIMIT $5),
reached AS (SELECT node_id, dir, min(depth) AS depth FROM capped GROUP BY node_id, dir),
nodes AS (
  SELECT node_id, min(depth) AS depth,
         bool_or(dir = 'D' AND depth < $3) AS expand_down, bool_or(dir = 'U' AND depth < $3) AS expand_up
  FROM reached GROUP BY node_id ORDER BY min(depth), node_id LIMIT $6
),
-- The walked edges between answered nodes: one index probe per answered node and direction
-- (OFFSET 0 keeps each lateral a probe; a join here was planned as reached x reached, 70 ms).
edges AS (
  SELECT e.* FROM nodes n CROSS JOIN LATERAL (
    SELECT e.from_id, e.to_id, e.relation, e.provider_name, e.source, e.valid_from, e.valid_to
    FROM lineage_edge e WHERE n.expand_down AND e.from_id = n.node_id AND ${validAt('e', '$4')} OFFSET 0
  ) e WHERE e.to_id IN (SELECT node_id FROM nodes)
  UNION
  SELECT e.* FROM nodes n CROSS JOIN LATERAL (
    SELECT e.from_id, e.to_id, e.relation, e.provider_name, e.source, e.valid_from, e.valid_to
    FROM lineage_edge e WHERE n.expand_up AND e.to_id = n.node_id AND ${validAt('e', '$4')} OFFSET 0
  ) e WHERE e.from_id IN (SELECT node_id FROM nodes)
)
SELECT 'N' AS t, node_id AS a, NULL::text AS b, NULL::text AS relation, NULL::text AS provider, NULL::text AS source,
       NULL::timestamptz AS valid_from, NULL::timestamptz AS valid_to, depth, NULL::boolean AS flag
FROM nodes
UNION ALL
SELECT 'E', from_id, to_id, relation, provider_name, source, valid_from AT TIME ZONE 'UTC', valid_to AT TIME ZONE 'UTC', NULL, NULL
FROM edges
UNION ALL
SELECT 'R', $1, NULL, NULL, NULL, NULL, NULL, NULL, (SELECT count(*)::int FROM capped),
       EXISTS (SELECT 1 FROM ${catalogTable} WHERE id = $1)
       OR EXISTS (SELECT 1 FROM lineage_edge WHERE from_id = $1)
       OR EXISTS (SELECT 1 FROM lineage_edge WHERE to_id = $1)`;

export class LineageRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Walks from `id` (and, for a feature view, from its features) in the given directions.
   * `nodeLimit` nodes at most are answered (nearest first); `rowCap` bounds the walk itself.
   */
  async walk(args: {
    id: string;
    kind: string;
    directions: ('D' | 'U')[];
    depth: number;
    asOf: Date;
    nodeLimit: number;
    rowCap: number;
  }): Promise<WalkResult> {
    const table = CATALOG_TABLE[args.kind];
    if (!table) throw new Error(`no catalog table for kind ${args.kind}`);
    const { rows } = await queryWithoutJit(this.pool, WALK_SQL(table), [
      args.id,
      args.directions,
      args.depth,
      args.asOf.toISOString(),
      args.rowCap,
      args.nodeLimit,
    ]);
    const result: WalkResult = { known: false, nodes: [], edges: [], capped: false };
    for (const row of rows) {
      if (row.t === 'N') result.nodes.push({ id: row.a, depth: row.depth });
      else if (row.t === 'E') {
        result.edges.push({
          fromId: row.a,
          toId: row.b,
          relation: row.relation,
          providerName: row.provider,
          source: row.source,
          validFrom: row.valid_from,
          validTo: row.valid_to,
        });
      } else {
        result.known = row.flag === true;
        result.capped = row.depth >= args.rowCap;
      }
    }
    return result;
  }
}
