import { createHash, randomUUID } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Database } from '../../../platform/database.ts';
import { BUILTIN_PROVIDER } from '../../../adapters/builtin/provider.ts';
import { InputError, NotFoundError, NotSupportedError } from '../../../platform/errors.ts';
import type { FeatureStoreProvider, JoinFeature, TrainingSetProvider } from '../../../adapters/core/feature-store.ts';
import type { CapabilityLookup } from '../../../adapters/providers.ts';
import { globalId, parseGlobalId } from '../../../platform/ids.ts';
import { log } from '../../../platform/log.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import { addLineageEdges } from '../../lineage/edge/writer.ts';
import type { FeatureService } from '../feature/service.ts';
import type { FeatureViewService } from '../feature-view/service.ts';
import { writeDatasetFile, type ExportColumn } from './export.ts';
import { DatasetFormat } from './type.ts';

export const MAX_TRAINING_ENTITIES = 1_000_000;
const FEATURE_REF = /^([a-z][a-z0-9_.-]{0,127}):([a-z][a-z0-9_.-]{0,127})$/;

const createSchema = z.object({
  name: z.string().regex(NAME_PATTERN, NAME_RULE),
  features: z
    .array(z.string().regex(FEATURE_REF, 'must be "view:feature"'))
    .min(1, 'at least one feature')
    .max(500)
    .refine((list) => new Set(list).size === list.length, 'features must not repeat'),
  entities: z
    .array(z.object({ entityKey: z.string().min(1).max(512), eventTime: z.date() }))
    .min(1, 'at least one entity')
    .max(MAX_TRAINING_ENTITIES),
});

// No control characters: an ID with NUL cannot name a row (PostgreSQL refuses it) and is the caller's mistake.
const exportSchema = z.object({
  datasetId: z
    .string()
    .max(1024)
    .regex(/^[^\u0000-\u001f]*$/, 'must not hold control characters'),
  format: z.enum(DatasetFormat),
});

export class DatasetService {
  constructor(
    private readonly db: Database,
    /** The provider instances: each view's owner must declare, as its `features`, the store that joins. */
    private readonly owners: CapabilityLookup,
    /** The built-in store: it joins training sets from the offline history it keeps, and only that. */
    private readonly store: TrainingSetProvider & Pick<FeatureStoreProvider, 'provider'>,
    private readonly featureViews: FeatureViewService,
    private readonly features: FeatureService,
    private readonly dataDir: string,
  ) {}

  /**
   * Builds a training set by point-in-time join, then records it as the next version of `name`
   * with its feature versions, DERIVED_FROM lineage edges and audit event in one transaction. If
   * the content hash equals the latest version's, that version is answered and nothing is added.
   * A feature of a view whose owner's feature store is not the one that joins (a cloud's feature
   * group: its history is not in the built-in offline store) answers NOT_SUPPORTED naming that
   * provider, before anything is joined or written.
   */
  async create(input: unknown, actor: string) {
    const parsed = parseInput(createSchema, input);
    const resolved = await this.resolveFeatures(parsed.features);
    const rowsRef = randomUUID();
    const started = Date.now();
    let recorded = false;
    try {
      const joined = await this.store.pointInTimeJoin({
        datasetId: rowsRef,
        entities: parsed.entities,
        features: resolved.map((r) => r.join),
      });
      const featureIds = resolved.map((r) => r.feature.id);
      const contentHash = createHash('sha256')
        .update(JSON.stringify({ features: parsed.features, featureIds, rows: joined.rowsHash }))
        .digest('hex');
      log.info({ dataset: parsed.name, rows: joined.rowCount, ms: Date.now() - started }, 'point-in-time join done');
      const dataset = await this.db.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dataset:${parsed.name}`}))`;
          const latest = await tx.dataset.findFirst({
            where: { providerName: BUILTIN_PROVIDER, name: parsed.name },
            orderBy: { version: 'desc' },
          });
          if (latest?.contentHash === contentHash) return latest;
          const version = (latest?.version ?? 0) + 1;
          const id = globalId('dataset', BUILTIN_PROVIDER, `${parsed.name}/${version}`);
          const created = await tx.dataset.create({
            data: {
              id,
              providerName: BUILTIN_PROVIDER,
              name: parsed.name,
              version,
              contentHash,
              rowCount: joined.rowCount,
              rowsRef,
              createdBy: actor,
              spec: { features: parsed.features, featureIds, entityCount: parsed.entities.length },
            },
          });
          await tx.datasetFeature.createMany({
            data: featureIds.map((featureId, position) => ({ datasetId: id, featureId, position })),
          });
          await addLineageEdges(
            tx,
            featureIds.map((featureId) => ({
              from: { id: featureId, kind: 'feature' },
              to: { id, kind: 'dataset' },
              relation: 'DERIVED_FROM',
              providerName: BUILTIN_PROVIDER,
            })),
          );
          await recordAudit(tx, {
            actor,
            action: 'createTrainingDataset',
            subjectId: id,
            payload: { version, contentHash, rowCount: joined.rowCount },
          });
          recorded = true;
          return created;
        },
        { timeout: 30_000, maxWait: 30_000 },
      );
      return dataset;
    } finally {
      if (!recorded) await this.store.dropTrainingRows(rowsRef);
    }
  }

  /** `view:feature` references -> the features of each view's latest version, or one InputError naming every bad one. */
  private async resolveFeatures(refs: string[]) {
    const problems: { path: string; message: string }[] = [];
    const views = new Map<string, Awaited<ReturnType<FeatureViewService['get']>>>();
    for (const ref of refs) {
      const viewName = ref.split(':')[0]!;
      if (!views.has(viewName)) views.set(viewName, await this.featureViews.get(viewName));
    }
    const existing = [...views.values()].filter((v) => v !== null);
    for (const view of existing) {
      const owner = this.owners.capability(view.providerName, 'features', 'createTrainingDataset');
      if (owner.provider !== this.store.provider)
        throw new NotSupportedError(view.providerName, 'createTrainingDataset');
    }
    const features = await this.features.byViewIds(existing.map((v) => v!.id));
    const resolved: { feature: (typeof features)[number]; join: JoinFeature }[] = [];
    refs.forEach((ref, index) => {
      const [viewName, featureName] = ref.split(':') as [string, string];
      const view = views.get(viewName);
      const feature = view && features.find((f) => f.featureViewId === view.id && f.name === featureName);
      if (!view)
        problems.push({ path: `input.features.${index}`, message: `no feature view ${JSON.stringify(viewName)}` });
      else if (!feature)
        problems.push({
          path: `input.features.${index}`,
          message: `${viewName} has no feature ${JSON.stringify(featureName)}`,
        });
      else
        resolved.push({
          feature,
          join: { featureView: view.name, feature: feature.name, column: ref, ttlSeconds: view.ttlSeconds },
        });
    });
    if (problems.length) throw new InputError(problems);
    return resolved;
  }

  get(id: string) {
    parseGlobalId(id, 'id', 'dataset');
    return this.db.dataset.findUnique({ where: { id } });
  }

  versions(name: string) {
    return this.db.dataset.findMany({ where: { name }, orderBy: { version: 'asc' } });
  }

  byIds(ids: readonly string[]) {
    return this.db.dataset.findMany({ where: { id: { in: [...ids] } } });
  }

  /** Rows of a dataset in join order: `{entityKey, eventTime, values}`. */
  async rows(dataset: { rowsRef: string | null }, offset: number, limit: number) {
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 10_000) {
      throw new InputError([{ path: 'limit', message: 'limit must be 1..10000 and offset >= 0' }]);
    }
    if (!dataset.rowsRef) return [];
    const rows = await this.store.readTrainingRows(dataset.rowsRef, offset, limit);
    return rows.map((row) => ({
      entityKey: row.entityKey,
      eventTime: row.eventTime.toISOString(),
      values: row.values,
    }));
  }

  /** Writes the dataset as CSV or Parquet under `<data dir>/exports/` and records the export in the audit log. */
  async export(input: unknown, actor: string) {
    const parsed = parseInput(exportSchema, input);
    parseGlobalId(parsed.datasetId, 'input.datasetId', 'dataset');
    const dataset = await this.db.dataset.findUnique({
      where: { id: parsed.datasetId },
      include: { features: { include: { feature: true }, orderBy: { position: 'asc' } } },
    });
    if (!dataset) throw new NotFoundError('Dataset', parsed.datasetId);
    const spec = dataset.spec as { features?: string[] };
    const columns: ExportColumn[] = dataset.features.map((df, i) => ({
      name: spec.features?.[i] ?? df.feature.name,
      dtype: df.feature.dtype,
    }));
    const dir = join(this.dataDir, 'exports');
    await mkdir(dir, { recursive: true });
    const path = join(dir, `${exportFileStem(dataset.id)}.${parsed.format === DatasetFormat.CSV ? 'csv' : 'parquet'}`);
    // The stem cannot leave the folder; checked anyway, so that a later naming scheme cannot write elsewhere.
    if (dirname(resolve(path)) !== resolve(dir))
      throw new Error(`the export file of ${dataset.id} would fall outside ${dir}`);
    const rowsRef = dataset.rowsRef;
    const pages = async function* (store: TrainingSetProvider) {
      if (!rowsRef) return;
      for (let offset = 0; ; offset += 10_000) {
        const page = await store.readTrainingRows(rowsRef, offset, 10_000);
        if (page.length) yield page;
        if (page.length < 10_000) return;
      }
    };
    const rowCount = await writeDatasetFile(path, parsed.format, columns, pages(this.store));
    await this.db.$transaction((tx) =>
      recordAudit(tx, {
        actor,
        action: 'exportDataset',
        subjectId: dataset.id,
        payload: { path, format: parsed.format, rowCount },
      }),
    );
    return { datasetId: dataset.id, format: parsed.format, path, rowCount, bytes: (await stat(path)).size };
  }
}

/**
 * The export file's name without extension: the dataset ID with everything but letters, digits, `.`, `_`
 * and `-` replaced (cloud datasets are named by URIs like `s3://bucket/a/b`), cut short, then a hash
 * of the whole ID so that IDs slugging alike keep separate files.
 */
export function exportFileStem(datasetId: string): string {
  const slug = datasetId
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+/, '')
    .slice(0, 100);
  return `${slug}-${createHash('sha256').update(datasetId).digest('hex').slice(0, 12)}`;
}
