import type { Transaction } from '../../../adapters/builtin/database.ts';
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

/** Gathers everything a policy can see about a promotion, inside the promotion's transaction. */
export async function buildPolicyContext(
  tx: Transaction,
  candidate: VersionWithModel,
  current: VersionWithModel | null,
  target: string,
  actor: { name: string; roles: string[] },
  now: Date,
): Promise<PolicyContext> {
  const links = await tx.modelVersionFeature.findMany({
    where: { modelVersionId: candidate.id },
    include: { feature: { select: { id: true, name: true, quality: true, _count: { select: { incidents: { where: { status: 'OPEN' } } } } } } },
    orderBy: { featureId: 'asc' },
  });
  const approvals = await tx.approval.findMany({ where: { modelVersionId: candidate.id }, orderBy: { createdAt: 'asc' } });
  return {
    candidate: versionForPolicy(candidate),
    current: current ? versionForPolicy(current) : null,
    features: links.map(({ feature }) => ({ id: feature.id, name: feature.name, quality: feature.quality, openIncidents: feature._count.incidents })),
    approvals: approvals.map((a) => ({ actor: a.actor, role: a.role, to: a.toStage })),
    actor,
    target,
    now,
  };
}
