import type { Transaction } from '../../../platform/database.ts';
import type { ModelVersion, RegisteredModel } from '../../../prisma/generated/client.ts';
import type { PolicyContext } from '../policy/cel.ts';

type VersionWithModel = ModelVersion & { model: RegisteredModel };

/** A version as policies see it; null fields are left out so `has(candidate.gitCommit)` tells. */
export function versionForPolicy(version: VersionWithModel): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    id: version.id,
    version: version.version,
    model: version.model.name,
    provider: version.model.providerName,
    stage: version.stage,
    aliases: version.aliases,
    tags: version.tags,
    metrics: version.metrics,
    params: version.params,
    fairnessMetrics: version.fairnessMetrics,
    gitCommit: version.gitCommit,
    artifactUri: version.artifactUri,
    imageUri: version.imageUri,
    createdBy: version.createdBy,
    trainingDatasetId: version.trainingDatasetId,
    parentVersionId: version.parentVersionId,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined));
}

/** A policy in force, as the promotion evaluates it. */
export interface PolicyInForce {
  name: string;
  version: number;
  severity: 'BLOCK' | 'WARN';
  expression: string;
  message: string;
  modelPattern: string | null;
}

interface Gathered {
  features: PolicyContext['features'];
  approvals: PolicyContext['approvals'];
  policies: PolicyInForce[];
}

/**
 * Gathers everything a policy can see about a promotion, and the policies in force for the target
 * stage, inside the promotion's transaction, in one statement (a promotion's latency is its round
 * trips).
 */
export async function buildPolicyContext(
  tx: Transaction,
  candidate: VersionWithModel,
  current: VersionWithModel | null,
  target: string,
  actor: { name: string; roles: string[] },
  now: Date,
): Promise<{ context: PolicyContext; policies: PolicyInForce[] }> {
  const [gathered] = await tx.$queryRaw<Gathered[]>`
    SELECT
      COALESCE((SELECT json_agg(json_build_object(
                  'id', f.id, 'name', f.name, 'quality', f.quality::text,
                  'openIncidents', (SELECT count(*) FROM feature_incident i WHERE i.feature_id = f.id AND i.status = 'OPEN')
                ) ORDER BY f.id)
                FROM model_version_feature l JOIN feature f ON f.id = l.feature_id
                WHERE l.model_version_id = ${candidate.id}), '[]'::json) AS features,
      COALESCE((SELECT json_agg(json_build_object('actor', a.actor, 'role', a.role, 'to', a.to_stage::text) ORDER BY a.created_at, a.id)
                FROM approval a WHERE a.model_version_id = ${candidate.id}), '[]'::json) AS approvals,
      COALESCE((SELECT json_agg(json_build_object(
                  'name', p.name, 'version', p.version, 'severity', p.severity::text, 'expression', p.expression,
                  'message', p.message, 'modelPattern', p.model_pattern
                ) ORDER BY p.name)
                FROM (SELECT DISTINCT ON (name) * FROM policy ORDER BY name, version DESC) p
                WHERE p.enabled AND p.applies_to::text = ${target}), '[]'::json) AS policies`;
  return {
    context: {
      candidate: versionForPolicy(candidate),
      current: current ? versionForPolicy(current) : null,
      features: gathered!.features.map((f) => ({ ...f, openIncidents: Number(f.openIncidents) })),
      approvals: gathered!.approvals,
      actor,
      target,
      now,
    },
    policies: gathered!.policies,
  };
}
