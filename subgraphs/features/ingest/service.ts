import { z } from 'zod';
import type { Database } from '../../../platform/database.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import type { FeatureRow } from '../../../adapters/core/feature-store.ts';
import type { CapabilityLookup } from '../../../adapters/providers.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import type { FeatureService } from '../feature/service.ts';
import type { FeatureViewService } from '../feature-view/service.ts';
import { QualityEvaluation } from '../quality/service.ts';

export const MAX_INGEST_ROWS = 100_000;

const ingestSchema = z.object({
  featureView: z.string().regex(NAME_PATTERN, NAME_RULE),
  version: z.number().int().positive().nullish(),
  provider: z.string().min(1).nullish(),
  // Rows are checked one by one below (a bad row is rejected, not the batch); zod only bounds the list.
  rows: z
    .array(z.unknown())
    .min(1, 'at least one row')
    .max(MAX_INGEST_ROWS, `at most ${MAX_INGEST_ROWS} rows per call`),
});

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A value check per dtype; null is always allowed (missing values are what null-ratio checks are for). */
const dtypeChecks: Record<string, (value: unknown) => boolean> = {
  INT64: (v) => typeof v === 'number' && Number.isSafeInteger(v),
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
    private readonly owners: CapabilityLookup,
    private readonly featureViews: FeatureViewService,
    private readonly features: FeatureService,
    private readonly clock: () => Date,
  ) {}

  /**
   * Validates each row against the view's definition, writes the good ones through the `features`
   * capability of the view's owner (the built-in offline store) and reports the bad ones with their
   * index and reason. Then, in one transaction, evaluates the declared quality checks over the
   * accepted rows and appends the audit event. An owner without that capability answers
   * NOT_SUPPORTED before anything is written.
   */
  async ingest(input: unknown, actor: string): Promise<IngestOutcome> {
    const parsed = parseInput(ingestSchema, input);
    const view = await this.featureViews.get(parsed.featureView, parsed.version, parsed.provider);
    if (!view)
      throw new NotFoundError(
        'FeatureView',
        parsed.version ? `${parsed.featureView}@${parsed.version}` : parsed.featureView,
      );
    const owner = this.owners.capability(view.providerName, 'features', 'ingestFeatures');
    const features = await this.features.byViewIds([view.id]);
    const dtypes = new Map(features.map((f) => [f.name, f.dtype]));

    const accepted: FeatureRow[] = [];
    const rowErrors: IngestOutcome['rowErrors'] = [];
    const names = [...dtypes.keys()];
    parsed.rows.forEach((raw, index) => {
      const row = raw as { entityKey?: unknown; eventTime?: unknown; values?: unknown } | null;
      const checked = checkRow(row, dtypes);
      if (typeof checked === 'string') {
        rowErrors.push({
          index,
          entityKey: typeof row?.entityKey === 'string' ? row.entityKey : null,
          reason: checked,
        });
        return;
      }
      const given = row!.values as Record<string, unknown>;
      const values: Record<string, unknown> = {};
      for (const name of names) values[name] = given[name] ?? null;
      accepted.push({ entityKey: row!.entityKey as string, eventTime: new Date(checked), values });
    });

    if (accepted.length > 0) {
      await owner.writeOffline(view.name, accepted);
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

/** The row's event time in ms, or the reason it is rejected. */
function checkRow(
  row: { entityKey?: unknown; eventTime?: unknown; values?: unknown } | null,
  dtypes: Map<string, string>,
): number | string {
  if (row === null || typeof row !== 'object') return 'a row must be {entityKey, eventTime, values}';
  const { entityKey, eventTime, values } = row;
  if (typeof entityKey !== 'string' || entityKey.length === 0 || entityKey.length > 512)
    return 'entityKey must be 1 to 512 characters';
  const time = typeof eventTime === 'string' && ISO_TIME.test(eventTime) ? Date.parse(eventTime) : Number.NaN;
  if (Number.isNaN(time)) return `eventTime ${JSON.stringify(eventTime)} is not an ISO 8601 time with a zone`;
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    return 'values must be an object of feature name -> value';
  let problems: string[] | undefined;
  for (const name in values) {
    const value = (values as Record<string, unknown>)[name];
    const dtype = dtypes.get(name);
    if (!dtype) (problems ??= []).push(`unknown feature ${JSON.stringify(name)}`);
    else if (value !== null && !dtypeChecks[dtype]!(value))
      (problems ??= []).push(`${name}: ${truncate(JSON.stringify(value))} is not a ${dtype}`);
  }
  return problems ? problems.join('; ') : time;
}

const truncate = (text: string) => (text.length > 80 ? `${text.slice(0, 77)}...` : text);
