import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Prisma } from '../../../prisma/generated/client.ts';
import type { Database } from '../../../platform/database.ts';
import { InputError } from '../../../platform/errors.ts';
import { globalId } from '../../../platform/ids.ts';
import { BUILTIN_PROVIDER } from '../../../adapters/builtin/provider.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import { declaredChecks, featureChecksSchema } from '../quality/checks.ts';
import { FeatureViewRepository, type FeatureViewFilter } from './repository.ts';

export const FEATURE_DTYPES = ['INT64', 'FLOAT64', 'STRING', 'BOOL', 'TIMESTAMP', 'FLOAT32_LIST'] as const;

const name = z.string().regex(NAME_PATTERN, NAME_RULE);

const applyFeatureViewSchema = z.object({
  name,
  entity: name,
  joinKey: name,
  features: z
    .array(
      z.object({
        name,
        dtype: z.enum(FEATURE_DTYPES, { message: `must be one of ${FEATURE_DTYPES.join(', ')}` }),
        description: z.string().max(2000).nullish(),
        checks: featureChecksSchema.nullish(),
      }),
    )
    .min(1, 'a feature view needs at least one feature')
    .max(1000),
  ttlSeconds: z.number().int().positive('must be greater than 0').nullish(),
  owner: z.string().min(1).max(200).nullish(),
  description: z.string().max(2000).nullish(),
  tags: z.array(z.string().min(1).max(100)).max(50).nullish(),
});

function duplicateFeatureNames(input: { features?: unknown }) {
  const seen = new Set<unknown>();
  const problems: { path: (string | number)[]; message: string }[] = [];
  (Array.isArray(input?.features) ? input.features : []).forEach((feature: { name?: unknown }, index: number) => {
    if (seen.has(feature?.name))
      problems.push({
        path: ['features', index, 'name'],
        message: `duplicate feature name ${JSON.stringify(feature.name)}`,
      });
    seen.add(feature?.name);
  });
  return problems;
}

export type ApplyFeatureView = z.infer<typeof applyFeatureViewSchema>;

/** The canonical definition whose hash decides "same definition -> same version". */
function definitionHash(view: ApplyFeatureView): string {
  const canonical = {
    entity: view.entity,
    joinKey: view.joinKey,
    features: view.features.map((f) => ({
      name: f.name,
      dtype: f.dtype,
      description: f.description ?? null,
      checks: declaredChecks(f.checks),
    })),
    ttlSeconds: view.ttlSeconds ?? null,
    owner: view.owner ?? null,
    description: view.description ?? null,
    tags: [...new Set(view.tags ?? [])].sort(),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}

export class FeatureViewService {
  private readonly repository: FeatureViewRepository;
  private readonly applyListeners: (() => void)[] = [];

  /** Called after this process applied a new version (caches of view definitions drop theirs). */
  onApply(listener: () => void): void {
    this.applyListeners.push(listener);
  }

  constructor(private readonly db: Database) {
    this.repository = new FeatureViewRepository(db);
  }

  /**
   * Registers a feature view on the built-in provider. The same definition answers the existing
   * version; a changed one creates version + 1. Applies of one name are serialized by an advisory
   * lock, so concurrent applies never race for a version number.
   */
  async apply(input: unknown, actor: string) {
    const view = parseInput(applyFeatureViewSchema, input, { crossChecks: duplicateFeatureNames });
    const hash = definitionHash(view);
    const applied = await this.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`featureView:${view.name}`}))`;
      const latest = await this.repository.latest(tx, BUILTIN_PROVIDER, view.name);
      if (latest?.definitionHash === hash) return latest;
      const version = (latest?.version ?? 0) + 1;
      const nativeId = `${view.name}/v${version}`;
      const id = globalId('featureView', BUILTIN_PROVIDER, nativeId);
      const created = await this.repository.create(tx, {
        id,
        providerName: BUILTIN_PROVIDER,
        name: view.name,
        version,
        entity: view.entity,
        joinKey: view.joinKey,
        ttlSeconds: view.ttlSeconds ?? null,
        owner: view.owner ?? null,
        description: view.description ?? null,
        tags: [...new Set(view.tags ?? [])].sort(),
        definitionHash: hash,
        nativeId,
        features: view.features.map((feature, position) => ({
          id: globalId('feature', BUILTIN_PROVIDER, `${nativeId}/${feature.name}`),
          name: feature.name,
          dtype: feature.dtype,
          description: feature.description ?? null,
          checks: declaredChecks(feature.checks) as Prisma.InputJsonObject,
          position,
        })),
      });
      await recordAudit(tx, {
        actor,
        action: 'applyFeatureView',
        subjectId: id,
        payload: { version, definitionHash: hash },
      });
      return created;
    });
    for (const listener of this.applyListeners) listener();
    return applied;
  }

  /** A view by name (at `provider`, or at the one provider holding the name), latest version unless one is asked for. */
  async get(name: string, version?: number | null, provider?: string | null) {
    if (version != null && (!Number.isInteger(version) || version < 1)) {
      throw new InputError([{ path: 'version', message: 'must be a positive integer' }]);
    }
    if (provider) return this.repository.find(name, version, provider);
    // One read tells who holds the name and, without a version, is the answer.
    const latest = await this.repository.latestPerProvider(name);
    if (latest.length > 1)
      throw new InputError([
        {
          path: 'provider',
          message: `views named ${JSON.stringify(name)} exist at ${latest.map((v) => v.providerName).join(', ')}: name the provider`,
        },
      ]);
    const [only] = latest;
    if (!only || version == null) return only ?? null;
    return this.repository.find(name, version, only.providerName);
  }

  byIds(ids: readonly string[]) {
    return this.repository.byIds(ids);
  }

  /** A page of feature views (latest versions unless `allVersions`), by name then version. */
  async list(filter: unknown, limit: number, offset: number) {
    const parsed = parseInput(listFilterSchema, filter ?? {}, { root: 'filter' });
    if (!Number.isInteger(limit) || limit < 1 || limit > 500 || !Number.isInteger(offset) || offset < 0) {
      throw new InputError([{ path: 'limit', message: 'limit must be 1..500 and offset >= 0' }]);
    }
    return this.repository.list(parsed, limit, offset);
  }
}

const listFilterSchema = z.object({
  owner: z.string().min(1).nullish(),
  tag: z.string().min(1).nullish(),
  namePrefix: z.string().min(1).max(128).nullish(),
  provider: z.string().min(1).nullish(),
  allVersions: z.boolean().nullish(),
}) satisfies z.ZodType<FeatureViewFilter>;
