import { z } from 'zod';
import type { Database } from '../../../adapters/builtin/database.ts';
import { NotFoundError } from '../../../adapters/core/errors.ts';
import type { FeatureRow, FeatureStoreProvider } from '../../../adapters/core/feature-store.ts';
import { recordAudit } from '../../shared/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../shared/validate.ts';
import type { FeatureService } from '../feature/service.ts';
import type { FeatureViewService } from '../feature-view/service.ts';
import { QualityEvaluation } from '../quality/service.ts';

export const MAX_INGEST_ROWS = 100_000;

const ingestSchema = z.object({
  featureView: z.string().regex(NAME_PATTERN, NAME_RULE),
  version: z.number().int().positive().nullish(),
  rows: z
    .array(z.object({ entityKey: z.string(), eventTime: z.string(), values: z.unknown() }))
    .min(1, 'at least one row')
    .max(MAX_INGEST_ROWS, `at most ${MAX_INGEST_ROWS} rows per call`),
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A value check per dtype; null is always allowed (missing values are what null-ratio checks are for). */
const dtypeChecks: Record<string, (value: unknown) => boolean> = {
  INT64: (v) => (typeof v === 'number' && Number.isSafeInteger(v)),
  FLOAT64: (v) => typeof v === 'number' && Number.isFinite(v),
  STRING: (v) => typeof v === 'string',
  BOOL: (v) => typeof v === 'boolean',
  TIMESTAMP: (v) => typeof v === 'string' && ISO_TIME.test(v) && !Number.isNaN(Date.parse(v)),
  FLOAT32_LIST: (v) => Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)),
};

export interface IngestOutcome {
  accepted: number;
  rejected: number;
  errors: string[];
  rowErrors: { index: number; entityKey: string | null; reason: string }[];
}

export class IngestService {
  constructor(
    private readonly db: Database,
    private readonly store: FeatureStoreProvider,
    private readonly featureViews: FeatureViewService,
    private readonly features: FeatureService,
    private readonly clock: () => Date,
  ) {}

  /**
   * Validates each row against the view's definition, writes the good ones to the offline store and
   * reports the bad ones with their index and reason. Then, in one transaction, evaluates the
   * declared quality checks over the accepted rows and appends the audit event.
   */
  async ingest(input: unknown, actor: string): Promise<IngestOutcome> {
    const parsed = parseInput(ingestSchema, input);
    const view = await this.featureViews.get(parsed.featureView, parsed.version);
    if (!view) throw new NotFoundError('FeatureView', parsed.version ? `${parsed.featureView}@${parsed.version}` : parsed.featureView);
    const features = await this.features.byViewIds([view.id]);
    const dtypes = new Map(features.map((f) => [f.name, f.dtype]));

    const accepted: FeatureRow[] = [];
    const rowErrors: IngestOutcome['rowErrors'] = [];
    parsed.rows.forEach((row, index) => {
      const reason = rowProblem(row, dtypes);
      if (reason) {
        rowErrors.push({ index, entityKey: typeof row.entityKey === 'string' ? row.entityKey : null, reason });
        return;
      }
      const given = row.values as Record<string, unknown>;
      const values: Record<string, unknown> = {};
      for (const name of dtypes.keys()) values[name] = given[name] ?? null;
      accepted.push({ entityKey: row.entityKey, eventTime: new Date(row.eventTime), values });
    });

    if (accepted.length > 0) {
      await this.store.writeOffline(view.name, accepted);
      const quality = new QualityEvaluation(features);
      quality.add(accepted);
      await this.db.$transaction(async (tx) => {
        await quality.record(tx, 'INGEST', this.clock());
        await recordAudit(tx, {
          actor,
          action: 'ingestFeatures',
          subjectId: view.id,
          payload: { accepted: accepted.length, rejected: rowErrors.length },
        });
      });
    }
    return {
      accepted: accepted.length,
      rejected: rowErrors.length,
      errors: rowErrors.map((e) => `rows.${e.index}: ${e.reason}`),
      rowErrors,
    };
  }
}

function rowProblem(row: { entityKey: string; eventTime: string; values: unknown }, dtypes: Map<string, string>): string | null {
  if (row.entityKey.length === 0 || row.entityKey.length > 512) return 'entityKey must be 1 to 512 characters';
  if (!ISO_TIME.test(row.eventTime) || Number.isNaN(Date.parse(row.eventTime))) {
    return `eventTime ${JSON.stringify(row.eventTime)} is not an ISO 8601 time with a zone`;
  }
  if (row.values === null || typeof row.values !== 'object' || Array.isArray(row.values)) return 'values must be an object of feature name -> value';
  const problems: string[] = [];
  for (const [name, value] of Object.entries(row.values)) {
    const dtype = dtypes.get(name);
    if (!dtype) problems.push(`unknown feature ${JSON.stringify(name)}`);
    else if (value !== null && !dtypeChecks[dtype]!(value)) problems.push(`${name}: ${JSON.stringify(value)} is not a ${dtype}`);
  }
  return problems.length ? problems.join('; ') : null;
}
