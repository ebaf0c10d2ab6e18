import { z } from 'zod';
import type { Database } from '../../../platform/database.ts';
import { ConflictError, InputError, NotFoundError } from '../../../platform/errors.ts';
import { DEFAULT_OWNER_TIMEOUT_MS, KeyedQueue, withinTime } from '../../../platform/owner-calls.ts';
import { globalId, parseGlobalId } from '../../../platform/ids.ts';
import type { ModelRegistryProvider } from '../../../adapters/core/model-registry.ts';
import type { CapabilityLookup } from '../../../adapters/providers.ts';
import { BUILTIN_PROVIDER } from '../../../adapters/builtin/provider.ts';
import type { ModelVersion, Prisma } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import { addLineageEdges, type NewLineageEdge } from '../../lineage/edge/writer.ts';
import { WebhookEvent } from '../webhook/type.ts';
import type { WebhookService } from '../webhook/service.ts';
import { ModelVersionRepository } from './repository.ts';
import { pageArgs, toConnection } from '../../shared/connection.ts';

const uri = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/i, 'must be a URI such as s3://bucket/path or gs://bucket/path');
const numbers = z.record(z.string(), z.number().refine(Number.isFinite, 'must be a finite number'));
const tag = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.:=/-]+$/, 'letters, digits and _ . : = / - only');

const registerModelVersionSchema = z.object({
  model: z.string().regex(NAME_PATTERN, NAME_RULE),
  provider: z.string().min(1).nullish(),
  artifactUri: uri.nullish(),
  imageUri: z.string().min(1).max(2048).nullish(),
  gitCommit: z
    .string()
    .regex(/^[0-9a-f]{7,40}$/, 'must be a 7 to 40 character hex commit hash')
    .nullish(),
  trainingDatasetId: z.string().nullish(),
  featureIds: z.array(z.string()).max(1000).nullish(),
  params: z.record(z.string(), z.json()).nullish(),
  metrics: numbers.nullish(),
  fairnessMetrics: numbers.nullish(),
  description: z.string().max(5000).nullish(),
  tags: z.array(tag).max(50).nullish(),
  parentVersionId: z.string().nullish(),
});

const filterSchema = z.object({
  model: z.string().nullish(),
  modelPrefix: z.string().nullish(),
  stage: z.enum(['NONE', 'STAGING', 'PRODUCTION', 'ARCHIVED']).nullish(),
  tag: z.string().nullish(),
  provider: z.string().nullish(),
  metrics: z
    .array(
      z
        .object({ name: z.string().min(1).max(200), min: z.number().nullish(), max: z.number().nullish() })
        .refine((m) => m.min != null || m.max != null, 'give min, max or both'),
    )
    .max(20)
    .nullish(),
});

const aliasSchema = z.object({
  modelVersionId: z.string(),
  alias: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, _ and - (at most 63), starting with a letter'),
});

/** Settings of the calls to a model's owner. */
export interface RegisterOwnerOptions {
  /** How long the owner may take to create a version before the registration fails UPSTREAM_UNAVAILABLE (default 30 s). */
  timeoutMs?: number;
}

/**
 * Times the owner is asked for a version number another process took meanwhile before the
 * registration answers CONFLICT (within one process registrations of a model take turns, so
 * only registrations from other processes race).
 */
const REGISTER_ATTEMPTS = 20;

export class ModelVersionService {
  readonly repository: ModelVersionRepository;
  private readonly ownerTimeoutMs: number;
  /** Registrations of one model in this process take turns. */
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly db: Database,
    /** The provider instances: a model's registry is its provider's `registry` capability. */
    private readonly owners: CapabilityLookup,
    private readonly webhooks: WebhookService,
    owner: RegisterOwnerOptions = {},
  ) {
    this.repository = new ModelVersionRepository(db);
    this.ownerTimeoutMs = owner.timeoutMs ?? DEFAULT_OWNER_TIMEOUT_MS;
  }

  /**
   * Registers the next version of a model (creating the model with its first version). Version
   * numbers are per model, monotonic and gap-free under concurrent registration. No database
   * transaction is open while the owner is called:
   * 1. the next number is read, and the owner asked (bounded by `timeoutMs`) to create that version;
   * 2. one transaction locks the model's row, checks the number is still the next one and commits
   *    the version with its lineage edges, audit event and webhook outbox.
   * When another registration took the number in between (another process: within this one,
   * registrations of a model take turns), nothing is written and step 1 runs again with the
   * number now next. The built-in registry's `registerVersion` is pure (`model/version`), so
   * asking again costs nothing; a cloud registry that accepted registrations would have to
   * answer the same native version for the same number (or leave an unused one for sync to read).
   */
  async register(input: unknown, actor: string, requestId?: string) {
    const spec = parseInput(registerModelVersionSchema, input);
    const providerName = spec.provider ?? BUILTIN_PROVIDER;
    const featureIds = [...new Set(spec.featureIds ?? [])];
    const registry = await this.checkReferences(
      providerName,
      featureIds,
      spec.trainingDatasetId ?? null,
      spec.parentVersionId ?? null,
    );

    const modelId = globalId('model', providerName, spec.model);
    return this.queue.run(modelId, async () => {
      let candidate = await this.repository.nextVersion(modelId);
      for (let attempt = 1; ; attempt++) {
        const { nativeId } = await withinTime(providerName, 'registerModelVersion', this.ownerTimeoutMs, () =>
          registry.registerVersion(spec.model, candidate),
        );
        const created = await this.create(
          spec,
          { providerName, modelId, featureIds, actor, requestId },
          candidate,
          nativeId,
        );
        if (!created.taken) return created.version;
        if (attempt >= REGISTER_ATTEMPTS)
          throw new ConflictError(
            `model ${JSON.stringify(spec.model)} is being registered by others at the same time: try again`,
          );
        candidate = created.nextVersion;
      }
    });
  }

  /**
   * Commits version `nextVersion` (known to its owner as `nativeId`) with its lineage, audit event and
   * webhook, unless it is no longer the model's next one: then answers the one that is.
   */
  private create(
    spec: z.infer<typeof registerModelVersionSchema>,
    context: { providerName: string; modelId: string; featureIds: string[]; actor: string; requestId?: string },
    nextVersion: number,
    nativeId: string,
  ): Promise<{ taken: false; version: ModelVersion } | { taken: true; nextVersion: number }> {
    const { providerName, modelId, featureIds, actor, requestId } = context;
    return this.db.$transaction(async (tx) => {
      const locked = await this.repository.lockModel(tx, {
        id: modelId,
        providerName,
        name: spec.model,
        nativeId: spec.model,
      });
      if (locked.nextVersion !== nextVersion) return { taken: true, nextVersion: locked.nextVersion };
      const id = globalId('modelVersion', providerName, nativeId);
      const version = await this.repository.createVersion(
        tx,
        {
          id,
          modelId,
          version: nextVersion,
          artifactUri: spec.artifactUri ?? null,
          imageUri: spec.imageUri ?? null,
          gitCommit: spec.gitCommit ?? null,
          params: (spec.params ?? {}) as Prisma.InputJsonValue,
          metrics: spec.metrics ?? {},
          fairnessMetrics: spec.fairnessMetrics ?? {},
          description: spec.description ?? null,
          tags: [...new Set(spec.tags ?? [])],
          parentVersionId: spec.parentVersionId ?? null,
          trainingDatasetId: spec.trainingDatasetId ?? null,
          nativeId,
          createdBy: actor,
        },
        featureIds,
      );
      const target = { id, kind: 'modelVersion' as const };
      const edges: NewLineageEdge[] = featureIds.map((featureId) => ({
        from: { id: featureId, kind: 'feature' },
        to: target,
        relation: 'USES_FEATURE',
        providerName,
      }));
      if (spec.trainingDatasetId)
        edges.push({
          from: { id: spec.trainingDatasetId, kind: 'dataset' },
          to: target,
          relation: 'TRAINED_ON',
          providerName,
        });
      if (spec.parentVersionId)
        edges.push({
          from: { id: spec.parentVersionId, kind: 'modelVersion' },
          to: target,
          relation: 'FINE_TUNED_FROM',
          providerName,
        });
      await addLineageEdges(tx, edges);
      const payload = {
        model: spec.model,
        version: nextVersion,
        provider: providerName,
        featureIds,
        trainingDatasetId: spec.trainingDatasetId ?? null,
        parentVersionId: spec.parentVersionId ?? null,
      };
      await recordAudit(tx, { actor, action: 'registerModelVersion', subjectId: id, requestId, payload });
      await this.webhooks.enqueue(tx, WebhookEvent.MODEL_VERSION_REGISTERED, { modelVersionId: id, actor, ...payload });
      return { taken: false, version };
    });
  }

  /** Every referenced provider, feature, dataset and parent must exist; all problems are reported at once. */
  private async checkReferences(
    providerName: string,
    featureIds: string[],
    trainingDatasetId: string | null,
    parentVersionId: string | null,
  ) {
    const problems: { path: string; message: string }[] = [];
    const provider = await this.repository.providerByName(providerName);
    // A provider that declares no registry (or does not run in this process) answers NOT_SUPPORTED.
    const registry: ModelRegistryProvider | null = provider
      ? this.owners.capability(providerName, 'registry', 'registerModelVersion')
      : null;
    if (!provider)
      problems.push({ path: 'input.provider', message: `no provider named ${JSON.stringify(providerName)}` });

    featureIds.forEach((id, index) => {
      try {
        parseGlobalId(id, `input.featureIds.${index}`, 'feature');
      } catch (error) {
        problems.push(...(error as InputError).problems);
      }
    });
    const found = new Set((await this.repository.existingFeatureIds(featureIds)).map((row) => row.id));
    featureIds.forEach((id, index) => {
      if (!found.has(id) && !problems.some((p) => p.path === `input.featureIds.${index}`)) {
        problems.push({ path: `input.featureIds.${index}`, message: `no feature with id ${JSON.stringify(id)}` });
      }
    });
    if (trainingDatasetId && !(await this.repository.datasetExists(trainingDatasetId))) {
      problems.push({
        path: 'input.trainingDatasetId',
        message: `no dataset with id ${JSON.stringify(trainingDatasetId)}`,
      });
    }
    if (parentVersionId && (await this.repository.versionsByIds([parentVersionId])).length === 0) {
      problems.push({
        path: 'input.parentVersionId',
        message: `no model version with id ${JSON.stringify(parentVersionId)}`,
      });
    }
    if (problems.length) throw new InputError(problems);
    return registry!;
  }

  /** Versions matching a filter, newest first, `first` at a time after the cursor. */
  async search(filter: unknown, first: number, after: string | null) {
    const f = parseInput(filterSchema, filter ?? {}, { root: 'filter' });
    if (!Number.isInteger(first) || first < 1 || first > 500)
      throw new InputError([{ path: 'first', message: 'must be between 1 and 500' }]);
    const where: Prisma.ModelVersionWhereInput = {
      AND: [
        f.model ? { model: { name: f.model } } : {},
        f.modelPrefix ? { model: { name: { startsWith: f.modelPrefix } } } : {},
        f.provider ? { model: { providerName: f.provider } } : {},
        f.stage ? { stage: f.stage } : {},
        f.tag ? { tags: { has: f.tag } } : {},
        ...(f.metrics ?? []).flatMap((m) => [
          ...(m.min != null ? [{ metrics: { path: [m.name], gte: m.min } }] : []),
          ...(m.max != null ? [{ metrics: { path: [m.name], lte: m.max } }] : []),
        ]),
      ],
    };
    const rows = await this.repository.search(where, first + 1, after);
    return {
      nodes: rows.slice(0, first),
      pageInfo: {
        hasNextPage: rows.length > first,
        hasPreviousPage: after != null,
        startCursor: rows[0]?.id ?? null,
        endCursor: rows.slice(0, first).at(-1)?.id ?? null,
      },
    };
  }

  /** Gives the alias to one version, taking it from the model's other versions, in one transaction. */
  async setAlias(input: unknown, actor: string, requestId?: string) {
    const spec = parseInput(aliasSchema, input);
    parseGlobalId(spec.modelVersionId, 'input.modelVersionId', 'modelVersion');
    return this.db.$transaction(async (tx) => {
      const version = await tx.modelVersion.findUnique({ where: { id: spec.modelVersionId } });
      if (!version) throw new NotFoundError('ModelVersion', spec.modelVersionId);
      await tx.$executeRaw`SELECT 1 FROM registered_model WHERE id = ${version.modelId} FOR UPDATE`;
      const holders = await tx.modelVersion.findMany({
        where: { modelId: version.modelId, aliases: { has: spec.alias }, NOT: { id: version.id } },
      });
      for (const holder of holders) {
        await tx.modelVersion.update({
          where: { id: holder.id },
          data: { aliases: holder.aliases.filter((a) => a !== spec.alias) },
        });
      }
      const updated = await tx.modelVersion.update({
        where: { id: version.id },
        data: { aliases: [...new Set([...version.aliases, spec.alias])].sort() },
      });
      await recordAudit(tx, {
        actor,
        action: 'setModelAlias',
        subjectId: version.id,
        requestId,
        payload: { alias: spec.alias, from: holders.map((h) => h.id) },
      });
      return updated;
    });
  }

  /** models(filter, first, after): a connection ordered by ID (provider, then name). */
  async models(
    filter: { namePrefix?: string | null; provider?: string | null; tag?: string | null } | null,
    first: number,
    after: string | null,
  ) {
    const page = pageArgs(first, after);
    const { rows, total } = await this.repository.modelsPage(filter ?? {}, page.first + 1, page.afterKey);
    return toConnection(rows, page.first, (row) => row.id, total, page.afterKey != null);
  }

  async modelByName(name: string, providerName?: string | null) {
    const models = await this.repository.modelsByName(name, providerName);
    if (models.length > 1) {
      throw new InputError([
        {
          path: 'provider',
          message: `model ${JSON.stringify(name)} exists on several providers (${models.map((m) => m.providerName).join(', ')}); name one`,
        },
      ]);
    }
    return models[0] ?? null;
  }
}
