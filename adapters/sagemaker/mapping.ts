import type { Stage } from '../core/domain.ts';

/**
 * SageMaker -> Cairn mappings, pure so they are tested alone (mapping.test.ts) and documented in
 * the README's SageMaker tables.
 */

export type ApprovalStatus = 'Approved' | 'Rejected' | 'PendingManualApproval';

/**
 * A model package's stage: Rejected is always ARCHIVED; otherwise a recognised ModelLifeCycle
 * stage wins (Production, Staging, Archived); without one the approval status decides
 * (Approved -> PRODUCTION, PendingManualApproval -> STAGING). Anything else is NONE.
 */
export function stageFromSageMaker(approval: string | undefined, lifeCycleStage: string | undefined): Stage {
  if (approval === 'Rejected') return 'ARCHIVED';
  switch (lifeCycleStage?.toLowerCase()) {
    case 'production':
      return 'PRODUCTION';
    case 'staging':
      return 'STAGING';
    case 'archived':
      return 'ARCHIVED';
    case undefined:
      break;
    default:
      return 'NONE';
  }
  if (approval === 'Approved') return 'PRODUCTION';
  if (approval === 'PendingManualApproval') return 'STAGING';
  return 'NONE';
}

/** What UpdateModelPackage is sent for a Cairn stage (NONE is never a promotion target). */
export function sageMakerStageOf(stage: Stage): {
  ModelApprovalStatus: ApprovalStatus;
  ModelLifeCycle: { Stage: string; StageStatus: string };
} {
  switch (stage) {
    case 'PRODUCTION':
      return { ModelApprovalStatus: 'Approved', ModelLifeCycle: { Stage: 'Production', StageStatus: 'Approved' } };
    case 'STAGING':
      return {
        ModelApprovalStatus: 'PendingManualApproval',
        ModelLifeCycle: { Stage: 'Staging', StageStatus: 'PendingApproval' },
      };
    case 'ARCHIVED':
      return { ModelApprovalStatus: 'Rejected', ModelLifeCycle: { Stage: 'Archived', StageStatus: 'Rejected' } };
    default:
      return {
        ModelApprovalStatus: 'PendingManualApproval',
        ModelLifeCycle: { Stage: 'Development', StageStatus: 'PendingApproval' },
      };
  }
}

/**
 * Variant weights -> integer percents summing to 100 (largest remainder; ties to the earlier
 * variant). All weights 0: every share is 0 (nothing takes live traffic).
 */
export function percentsFromWeights(weights: readonly number[]): number[] {
  const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
  if (total <= 0) return weights.map(() => 0);
  const exact = weights.map((w) => (Math.max(0, w) * 100) / total);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((sum, p) => sum + p, 0);
  const order = exact
    .map((value, index) => ({ index, remainder: value - floors[index]! }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (left-- <= 0) break;
    floors[index]!++;
  }
  return floors;
}

/**
 * A shadow variant's mirrored share: its weight relative to the production variants' total
 * weight (SageMaker samples shadow traffic in that proportion), as a percent capped at 100.
 */
export function shadowPercent(shadowWeight: number, productionTotal: number): number {
  if (productionTotal <= 0 || shadowWeight <= 0) return 0;
  return Math.min(100, Math.round((shadowWeight * 100) / productionTotal));
}

/** Feature Store types -> Cairn dtypes (collections get a `_LIST`/`_SET`/`_VECTOR` suffix). */
export function dtypeOf(featureType: string | undefined, collectionType?: string): string {
  const base = featureType === 'Integral' ? 'INT64' : featureType === 'Fractional' ? 'FLOAT64' : 'STRING';
  if (collectionType === 'Vector') return 'FLOAT32_LIST';
  if (collectionType) return `${base}_${collectionType.toUpperCase()}`;
  return base;
}

const UNIT_SECONDS: Record<string, number> = { Seconds: 1, Minutes: 60, Hours: 3600, Days: 86_400, Weeks: 604_800 };

export function ttlSecondsOf(ttl: { Unit?: string; Value?: number } | undefined): number | null {
  if (!ttl?.Unit || ttl.Value == null) return null;
  return (UNIT_SECONDS[ttl.Unit] ?? 0) * ttl.Value || null;
}

/**
 * A model package's CustomerMetadataProperties split into what Cairn keeps: `metric:<name>` with a
 * numeric value -> metrics (policies read them), `param:<name>` -> params, every other key -> a
 * `key=value` tag. (ModelMetrics holds only S3 URIs of reports, which Cairn does not download.)
 */
export function fromCustomerMetadata(properties: Record<string, string> | undefined) {
  const metrics: Record<string, number> = {};
  const params: Record<string, string> = {};
  const tags: string[] = [];
  for (const [key, value] of Object.entries(properties ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    if (key.startsWith('metric:') && value.trim() !== '' && Number.isFinite(Number(value)))
      metrics[key.slice(7)] = Number(value);
    else if (key.startsWith('param:')) params[key.slice(6)] = value;
    else tags.push(`${key}=${value}`);
  }
  return { metrics, params, tags };
}

/** SageMaker endpoint status -> Cairn's. */
export function endpointStatusOf(status: string | undefined): string {
  switch (status) {
    case 'InService':
      return 'IN_SERVICE';
    case 'Creating':
    case 'SystemUpdating':
      return 'CREATING';
    case 'Updating':
    case 'RollingBack':
      return 'UPDATING';
    case 'Failed':
    case 'UpdateRollbackFailed':
      return 'FAILED';
    case 'Deleting':
      return 'DELETING';
    case 'OutOfService':
      return 'OUT_OF_SERVICE';
    default:
      return 'UNKNOWN';
  }
}

const MODEL_PACKAGE_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package\/[^/\s]+\/\d+$/;

export function isModelPackageArn(value: string): boolean {
  return MODEL_PACKAGE_ARN.test(value);
}
