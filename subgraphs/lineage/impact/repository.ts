import type pg from 'pg';
import { queryWithoutJit, validAt } from '../sql.ts';

export interface DownstreamModelVersionRow {
  id: string;
  stage: string;
  provider: string;
  owner: string | null;
}

export interface DownstreamDeploymentRow {
  id: string;
  endpointId: string;
  endpointName: string;
  provider: string;
  modelVersionId: string;
  stage: string;
  owner: string | null;
  endpointOwner: string | null;
  status: string;
  trafficPercent: number;
  shadowPercent: number;
  /** Upstream features with an open incident (atRiskDeployments only; impact asks separately). */
  incidentFeatures?: string[];
}

export interface Downstream {
  known: boolean;
  owners: string[];
  modelVersions: DownstreamModelVersionRow[];
  deployments: DownstreamDeploymentRow[];
  endpoints: { id: string; provider: string }[];
}

/** A production deployment: not retired, and serving live traffic or deploying a PRODUCTION version. */
const PRODUCTION = `d.status <> 'RETIRED' AND (d.traffic_percent > 0 OR mv.stage = 'PRODUCTION')`;

const DEPLOYMENT_COLUMNS = `d.id, d.endpoint_id AS "endpointId", ep.name AS "endpointName", ep.provider_name AS provider,
  d.model_version_id AS "modelVersionId", mv.stage::text AS stage, mv.created_by AS owner, ep.owner AS "endpointOwner", d.status,
  d.traffic_percent AS "trafficPercent", d.shadow_percent AS "shadowPercent"`;

/**
 * Everything downstream of an asset (a feature view walks from its features) in ONE statement:
 * the recursive walk, then the catalog rows of the model versions, deployments and endpoints it
 * reached, plus the asset's own owner and whether it exists at all.
 */
const DOWNSTREAM_SQL = `
WITH RECURSIVE
seeds AS (
  SELECT $1::text AS id
  UNION
  SELECT f.id FROM feature f WHERE f.feature_view_id = $1
),
walk(node_id, depth) AS (
  SELECT id, 0 FROM seeds
  UNION
  SELECT n.node_id, w.depth + 1 FROM walk w
  -- OFFSET 0 keeps the lateral subquery a per-row index probe (never a hash of the whole edge table).
  CROSS JOIN LATERAL (SELECT e.to_id AS node_id FROM lineage_edge e WHERE e.from_id = w.node_id AND ${validAt('e', '$3')} OFFSET 0) n
  WHERE w.depth < $2
),
reached AS (SELECT DISTINCT node_id FROM walk)
-- Catalog rows by primary key with the reached IDs as an array (an index probe each), never a hash
-- of a whole catalog table: the planner cannot know how few nodes a walk reaches.
SELECT 'M' AS t, json_build_object('id', mv.id, 'stage', mv.stage::text, 'provider', rm.provider_name, 'owner', mv.created_by) AS row
FROM model_version mv JOIN registered_model rm ON rm.id = mv.model_id
WHERE mv.id = ANY (ARRAY(SELECT node_id FROM reached WHERE node_id LIKE 'modelVersion:%'))
UNION ALL
SELECT 'D', row_to_json(x) FROM (
  SELECT ${DEPLOYMENT_COLUMNS}
  FROM deployment d JOIN model_version mv ON mv.id = d.model_version_id JOIN endpoint ep ON ep.id = d.endpoint_id
  WHERE d.id = ANY (ARRAY(SELECT node_id FROM reached WHERE node_id LIKE 'deployment:%'))
) x
UNION ALL
SELECT 'E', json_build_object('id', ep.id, 'provider', ep.provider_name)
FROM endpoint ep WHERE ep.id = ANY (ARRAY(SELECT node_id FROM reached WHERE node_id LIKE 'endpoint:%'))
UNION ALL
SELECT 'R', json_build_object(
  'known', EXISTS (SELECT 1 FROM feature WHERE id = $1) OR EXISTS (SELECT 1 FROM feature_view WHERE id = $1)
        OR EXISTS (SELECT 1 FROM dataset WHERE id = $1) OR EXISTS (SELECT 1 FROM model_version WHERE id = $1)
        OR EXISTS (SELECT 1 FROM lineage_edge WHERE from_id = $1) OR EXISTS (SELECT 1 FROM lineage_edge WHERE to_id = $1),
  'owners', ARRAY(
    SELECT DISTINCT o FROM (
      SELECT fv.owner AS o FROM feature_view fv WHERE fv.id = $1
      UNION ALL SELECT fv.owner FROM feature f JOIN feature_view fv ON fv.id = f.feature_view_id WHERE f.id = $1
      UNION ALL SELECT created_by FROM dataset WHERE id = $1
      UNION ALL SELECT created_by FROM model_version WHERE id = $1
    ) owners WHERE o IS NOT NULL))`;

/**
 * Downstream of every feature with an open incident: rows (incident feature, reached node). Open
 * incidents are few, so walking down from them is small, where walking up from hundreds of
 * deployments is not (measured: 4 s on the bench estate, a hash of the whole edge table).
 */
const INCIDENT_WALK = `
WITH RECURSIVE down(feature_id, node_id, depth) AS (
  SELECT DISTINCT i.feature_id, i.feature_id, 0 FROM feature_incident i WHERE i.status = 'OPEN'
  UNION
  SELECT w.feature_id, n.node_id, w.depth + 1 FROM down w
  CROSS JOIN LATERAL (SELECT e.to_id AS node_id FROM lineage_edge e WHERE e.from_id = w.node_id AND ${validAt('e', '$2')} OFFSET 0) n
  WHERE w.depth < $1
)`;

/** Which of the given deployments have an open incident on a feature upstream: one statement. */
const UPSTREAM_INCIDENTS_SQL = `${INCIDENT_WALK}
SELECT node_id AS "deploymentId", array_agg(DISTINCT feature_id ORDER BY feature_id) AS "featureIds"
FROM down WHERE node_id = ANY($3::text[])
GROUP BY node_id`;

/**
 * A page of the production deployments downstream of a feature with an open incident, across
 * providers, by provider, endpoint name and ID, after the key ($3, $4, $5; null from the start),
 * at most $6, with how many there are in all: one statement.
 */
const AT_RISK_SQL = `${INCIDENT_WALK},
at_risk AS (
  SELECT ${DEPLOYMENT_COLUMNS}, array_agg(DISTINCT w.feature_id ORDER BY w.feature_id) AS "incidentFeatures"
  FROM down w JOIN deployment d ON d.id = w.node_id JOIN model_version mv ON mv.id = d.model_version_id JOIN endpoint ep ON ep.id = d.endpoint_id
  WHERE ${PRODUCTION}
  GROUP BY d.id, ep.name, ep.provider_name, ep.owner, mv.stage, mv.created_by
)
SELECT (SELECT count(*) FROM at_risk)::int AS total, COALESCE((
  SELECT json_agg(p ORDER BY p.provider, p."endpointName", p.id) FROM (
    SELECT * FROM at_risk a
    WHERE $3::text IS NULL OR (a.provider, a."endpointName", a.id) > ($3::text, $4::text, $5::text)
    ORDER BY a.provider, a."endpointName", a.id LIMIT $6
  ) p), '[]'::json) AS rows`;

/** Where an at-risk deployment sits in their list: by provider, endpoint name, then ID. */
export interface AtRiskKey {
  provider: string;
  endpointName: string;
  id: string;
}

export class ImpactRepository {
  constructor(private readonly pool: pg.Pool) {}

  async downstream(id: string, depth: number, now: Date): Promise<Downstream> {
    const { rows } = await queryWithoutJit(this.pool, DOWNSTREAM_SQL, [id, depth, now.toISOString()]);
    const result: Downstream = { known: false, owners: [], modelVersions: [], deployments: [], endpoints: [] };
    for (const { t, row } of rows) {
      if (t === 'M') result.modelVersions.push(row);
      else if (t === 'D') result.deployments.push(row);
      else if (t === 'E') result.endpoints.push(row);
      else {
        result.known = row.known;
        result.owners = row.owners;
      }
    }
    return result;
  }

  async openIncidentsUpstream(deploymentIds: string[], depth: number, now: Date): Promise<Map<string, string[]>> {
    if (deploymentIds.length === 0) return new Map();
    const { rows } = await queryWithoutJit(this.pool, UPSTREAM_INCIDENTS_SQL, [
      depth,
      now.toISOString(),
      deploymentIds,
    ]);
    return new Map(rows.map((r: { deploymentId: string; featureIds: string[] }) => [r.deploymentId, r.featureIds]));
  }

  async atRiskDeployments(
    depth: number,
    now: Date,
    take: number,
    after: AtRiskKey | null,
  ): Promise<{ rows: DownstreamDeploymentRow[]; total: number }> {
    const { rows } = await queryWithoutJit(this.pool, AT_RISK_SQL, [
      depth,
      now.toISOString(),
      after?.provider ?? null,
      after?.endpointName ?? null,
      after?.id ?? null,
      take,
    ]);
    return { rows: rows[0].rows, total: rows[0].total };
  }
}
