import { z } from 'zod';
import type { Database } from '../../../adapters/builtin/database.ts';
import { InputError, NotSupportedError } from '../../../adapters/core/errors.ts';
import { globalId, parseGlobalId } from '../../../adapters/core/ids.ts';
import { BUILTIN_PROVIDER } from '../../../adapters/builtin/provider.ts';
import { recordAudit } from '../../shared/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../shared/validate.ts';
import { addLineageEdges, type NewLineageEdge } from '../../lineage/edge/writer.ts';
import { ModelVersionRepository } from './repository.ts';

const uri = z.string().min(1).max(2048).regex(/^[a-z][a-z0-9+.-]*:\/\/\S+$/i, 'must be a URI such as s3://bucket/path or gs://bucket/path');
const json = z.json();

const registerModelVersionSchema = z.object({
  model: z.string().regex(NAME_PATTERN, NAME_RULE),
  provider: z.string().min(1).nullish(),
  artifactUri: uri.nullish(),
  imageUri: z.string().min(1).max(2048).nullish(),
  gitCommit: z.string().regex(/^[0-9a-f]{7,40}$/, 'must be a 7 to 40 character hex commit hash').nullish(),
  trainingDatasetId: z.string().nullish(),
  featureIds: z.array(z.string()).max(1000).nullish(),
  params: z.record(z.string(), json).nullish(),
  metrics: z.record(z.string(), z.number().refine(Number.isFinite, 'must be a finite number')).nullish(),
});

export class ModelVersionService {
  private readonly repository: ModelVersionRepository;

  constructor(private readonly db: Database) {
    this.repository = new ModelVersionRepository(db);
  }

  /**
   * Registers the next version of a model (creating the model with its first version). Version
   * numbers are per model, monotonic and gap-free under concurrent registration (the model row is
   * locked while the number is taken). Lineage edges and the audit event commit with the version.
   */
  async register(input: unknown, actor: string) {
    const spec = parseInput(registerModelVersionSchema, input);
    const providerName = spec.provider ?? BUILTIN_PROVIDER;
    const featureIds = [...new Set(spec.featureIds ?? [])];
    await this.checkReferences(providerName, featureIds, spec.trainingDatasetId ?? null);

    const modelId = globalId('model', providerName, spec.model);
    return this.db.$transaction(async (tx) => {
      const { nextVersion } = await this.repository.lockModel(tx, { id: modelId, providerName, name: spec.model, nativeId: spec.model });
      const nativeId = `${spec.model}/${nextVersion}`;
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
          params: (spec.params ?? {}) as object,
          metrics: spec.metrics ?? {},
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
      if (spec.trainingDatasetId) {
        edges.push({ from: { id: spec.trainingDatasetId, kind: 'dataset' }, to: target, relation: 'TRAINED_ON', providerName });
      }
      await addLineageEdges(tx, edges);
      await recordAudit(tx, { actor, action: 'registerModelVersion', subjectId: id, payload: { version: nextVersion, featureIds } });
      return version;
    });
  }

  /** Every referenced provider, feature and dataset must exist; all problems are reported at once. */
  private async checkReferences(providerName: string, featureIds: string[], trainingDatasetId: string | null) {
    const problems: { path: string; message: string }[] = [];
    const provider = await this.repository.providerByName(providerName);
    if (!provider) problems.push({ path: 'input.provider', message: `no provider named ${JSON.stringify(providerName)}` });
    else if (provider.kind !== 'BUILTIN') throw new NotSupportedError(providerName, 'registerModelVersion');

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
      problems.push({ path: 'input.trainingDatasetId', message: `no dataset with id ${JSON.stringify(trainingDatasetId)}` });
    }
    if (problems.length) throw new InputError(problems);
  }

  async modelByName(name: string, providerName?: string | null) {
    const models = await this.repository.modelsByName(name, providerName);
    if (models.length > 1) {
      throw new InputError([
        { path: 'provider', message: `model ${JSON.stringify(name)} exists on several providers (${models.map((m) => m.providerName).join(', ')}); name one` },
      ]);
    }
    return models[0] ?? null;
  }

  modelsByIds(ids: readonly string[]) {
    return this.repository.modelsByIds(ids);
  }

  versionsByIds(ids: readonly string[]) {
    return this.repository.versionsByIds(ids);
  }

  versionsByModelIds(ids: readonly string[]) {
    return this.repository.versionsByModelIds(ids);
  }

  featureLinksByVersionIds(ids: readonly string[]) {
    return this.repository.featureLinksByVersionIds(ids);
  }

  versionsUsingFeatures(ids: readonly string[]) {
    return this.repository.versionsUsingFeatures(ids);
  }
}
