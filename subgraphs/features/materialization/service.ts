import { z } from 'zod';
import type { Database } from '../../../platform/database.ts';
import type { JobQueue } from '../../../platform/jobs.ts';
import { InputError, isCairnError, NotFoundError } from '../../../platform/errors.ts';
import { log } from '../../../platform/log.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import type { FeatureService } from '../feature/service.ts';
import type { FeatureViewService } from '../feature-view/service.ts';
import { QualityEvaluation } from '../quality/service.ts';
import type { CapabilityLookup } from '../../../adapters/providers.ts';

/** The job queue name materializations run under. */
export const MATERIALIZE_JOB = 'materialize';

const requestSchema = z.object({
  featureView: z.string().regex(NAME_PATTERN, NAME_RULE),
  endTime: z.date(),
  provider: z.string().min(1).nullish(),
});

export class MaterializationService {
  constructor(
    private readonly db: Database,
    private readonly jobs: JobQueue,
    private readonly owners: CapabilityLookup,
    private readonly featureViews: FeatureViewService,
    private readonly features: FeatureService,
    private readonly clock: () => Date,
  ) {}

  /**
   * Records a PENDING run of the view's latest version and queues its job in the same transaction
   * (with the audit event): the job exists exactly when the run does. A view whose owner has no
   * `features` capability answers NOT_SUPPORTED, and no run is recorded.
   */
  async request(featureView: string, endTime: Date | null | undefined, actor: string, provider?: string | null) {
    const parsed = parseInput(requestSchema, { featureView, endTime: endTime ?? this.clock(), provider });
    const view = await this.featureViews.get(parsed.featureView, null, parsed.provider);
    if (!view) throw new NotFoundError('FeatureView', parsed.featureView);
    this.owners.capability(view.providerName, 'features', 'materialize');
    return this.db.$transaction(async (tx) => {
      const run = await tx.materializationRun.create({
        data: { featureViewId: view.id, featureView: view.name, endTime: parsed.endTime, requestedBy: actor },
      });
      await this.jobs.send(
        MATERIALIZE_JOB,
        { runId: run.id },
        { transaction: tx, retryLimit: 3, retryDelaySeconds: 2 },
      );
      await recordAudit(tx, {
        actor,
        action: 'materialize',
        subjectId: view.id,
        payload: { runId: run.id, endTime: parsed.endTime.toISOString() },
      });
      return run;
    });
  }

  get(id: string) {
    if (!z.uuid().safeParse(id).success)
      throw new InputError([{ path: 'id', message: 'not a materialization run ID' }]);
    return this.db.materializationRun.findUnique({ where: { id } });
  }

  list(featureView: string, limit: number) {
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw new InputError([{ path: 'limit', message: 'must be 1..500' }]);
    return this.db.materializationRun.findMany({ where: { featureView }, orderBy: { createdAt: 'desc' }, take: limit });
  }

  /**
   * The job: has the view's owner copy its changed entities to the online store from the last
   * watermark, logs progress per batch, then records the run, the new watermark and the quality
   * checks. A failure marks the run FAILED and rethrows, so the queue retries it (a retry starts
   * from the watermark).
   */
  async execute(runId: string): Promise<void> {
    const run = await this.db.materializationRun.findUnique({ where: { id: runId } });
    if (!run || run.status === 'SUCCEEDED') return;
    const view = await this.featureViews.byIds([run.featureViewId]).then((rows) => rows[0]);
    if (!view) throw new NotFoundError('FeatureView', run.featureViewId);
    const features = await this.features.byViewIds([view.id]);
    const watermark = await this.db.materializationWatermark.findUnique({ where: { featureView: view.name } });
    const startedAt = new Date();
    await this.db.materializationRun.update({
      where: { id: runId },
      data: {
        status: 'RUNNING',
        startedAt,
        error: null,
        fromSeq: watermark?.seq ?? null,
        fromEndTime: watermark?.endTime ?? null,
      },
    });
    const context = {
      runId,
      featureView: view.name,
      endTime: run.endTime.toISOString(),
      incremental: Boolean(watermark),
    };
    log.info(context, 'materialization started');
    const quality = new QualityEvaluation(features);
    try {
      const owner = this.owners.capability(view.providerName, 'features', 'materialize');
      const result = await owner.materialize({
        featureView: view.name,
        endTime: run.endTime,
        ttlSeconds: view.ttlSeconds,
        since: watermark ? { position: watermark.seq.toString(), endTime: watermark.endTime } : null,
        onBatch: async (rows, written) => {
          quality.add(rows);
          log.info(
            { ...context, rowsWritten: written, elapsedMs: Date.now() - startedAt.getTime() },
            'materialization progress',
          );
          await this.db.materializationRun.update({ where: { id: runId }, data: { rowsWritten: written } });
        },
      });
      const finishedAt = new Date();
      await this.db.$transaction(async (tx) => {
        await tx.materializationRun.update({
          where: { id: runId },
          data: {
            status: 'SUCCEEDED',
            rowsWritten: result.rowsWritten,
            toSeq: BigInt(result.watermark.position),
            finishedAt,
          },
        });
        const next = { seq: BigInt(result.watermark.position), endTime: result.watermark.endTime, runId };
        await tx.materializationWatermark.upsert({
          where: { featureView: view.name },
          create: { featureView: view.name, ...next },
          update: next,
        });
        await quality.record(tx, 'MATERIALIZE', this.clock());
      });
      log.info(
        { ...context, rowsWritten: result.rowsWritten, durationMs: finishedAt.getTime() - startedAt.getTime() },
        'materialization finished',
      );
    } catch (error) {
      log.error({ ...context, err: error }, 'materialization failed');
      await this.db.materializationRun.update({
        where: { id: runId },
        data: {
          status: 'FAILED',
          error: isCairnError(error) ? error.message.slice(0, 1000) : 'internal error (see the log for this run)',
          finishedAt: new Date(),
        },
      });
      throw error;
    }
  }
}
