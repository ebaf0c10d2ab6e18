import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { TimeKey } from '../../shared/connection.ts';
import type { Database } from '../../../platform/database.ts';
import type { DeploymentStrategy } from '../../../adapters/core/deployment.ts';
import { ConflictError, InputError, NotFoundError } from '../../../platform/errors.ts';
import { globalId, parseGlobalId } from '../../../platform/ids.ts';
import type { Deployment as DeploymentRow } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { globalIdProblems, httpUrl, NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import { addLineageEdges } from '../../lineage/edge/writer.ts';
import { endpointRef, recordFailedAttempt, type DeploymentProviders, type Identity } from '../providers.ts';
import type { RolloutRepository } from '../rollout/repository.ts';
import type { RolloutPlan, RolloutService } from '../rollout/service.ts';
import type { TrafficService } from '../traffic/service.ts';
import { splitOf, withLiveShare, type Split } from '../traffic/split.ts';
import type { OwnListener } from '../own-listener.ts';
import type { DeploymentRepository } from './repository.ts';

export const STRATEGIES = [
  'RECREATE',
  'BLUE_GREEN',
  'CANARY',
  'SHADOW',
  'AB_TEST',
] as const satisfies readonly DeploymentStrategy[];
export const DEFAULT_CANARY_STEPS = [10, 50, 100];
export const DEFAULT_BAKE_SECONDS = 300;

/** The bake time and canary thresholds, alike in a rollout plan and in a deploy rule. */
export const canaryThresholdFields = {
  bakeSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400)
    .nullish(),
  maxErrorRate: z.number().min(0).max(1).nullish(),
  maxLatencyP99Ms: z.number().positive().nullish(),
  minRequests: z.number().int().min(0).max(1_000_000_000).nullish(),
};

/** Canary steps (live percent of the new deployment) must increase and end at 100. */
export function canaryStepProblems(
  steps: unknown,
  path: (string | number)[],
): { path: (string | number)[]; message: string }[] {
  if (!Array.isArray(steps) || steps.length === 0) return [];
  const problems = [];
  if (steps.some((step: unknown, i: number) => i > 0 && typeof step === 'number' && step <= steps[i - 1]))
    problems.push({ path, message: 'steps must increase' });
  if (steps[steps.length - 1] !== 100) problems.push({ path, message: 'the last step must be 100' });
  return problems;
}

const planSchema = z.object({
  steps: z.array(z.number().int().min(1, 'a step is 1..100').max(100, 'a step is 1..100')).min(1).max(20).nullish(),
  ...canaryThresholdFields,
});

const deploySchema = z.object({
  endpointId: z.string().min(1),
  modelVersionId: z.string().min(1),
  strategy: z.enum(STRATEGIES),
  trafficPercent: z.number().int().min(0).max(100).nullish(),
  modelServerUrl: httpUrl.nullish(),
  featureView: z.string().regex(NAME_PATTERN, NAME_RULE).nullish(),
  entityKeyField: z.string().min(1).max(128).nullish(),
  rollout: planSchema.nullish(),
});

type DeployInput = z.infer<typeof deploySchema>;

/** Rules across fields (a strategy and the options it takes), reported with the field errors. */
function deployProblems(input: any): { path: (string | number)[]; message: string }[] {
  const problems = [
    ...globalIdProblems(input, 'endpointId', 'endpoint'),
    ...globalIdProblems(input, 'modelVersionId', 'modelVersion'),
  ];
  const strategy = input?.strategy;
  const percent = input?.trafficPercent;
  if (percent != null) {
    if (strategy === 'AB_TEST' && (percent < 1 || percent > 99))
      problems.push({
        path: ['trafficPercent'],
        message: 'an A/B share is 1..99 (the rest stays with the live deployments)',
      });
    else if (strategy === 'SHADOW' && percent < 1)
      problems.push({ path: ['trafficPercent'], message: 'a shadow mirror percent is 1..100' });
    else if (strategy !== 'AB_TEST' && strategy !== 'SHADOW')
      problems.push({
        path: ['trafficPercent'],
        message: `only AB_TEST (its share) and SHADOW (its mirror percent) take trafficPercent, not ${strategy}`,
      });
  }
  if (input?.rollout != null && strategy !== 'CANARY' && strategy !== 'SHADOW') {
    problems.push({ path: ['rollout'], message: `only CANARY and SHADOW take a rollout plan, not ${strategy}` });
  }
  const steps = input?.rollout?.steps;
  if (Array.isArray(steps) && steps.length > 0 && strategy === 'SHADOW') {
    problems.push({
      path: ['rollout', 'steps'],
      message: 'a SHADOW rollout has no steps (it mirrors; switch with setTrafficSplit)',
    });
  }
  problems.push(...canaryStepProblems(steps, ['rollout', 'steps']));
  if ((input?.featureView == null) !== (input?.entityKeyField == null)) {
    problems.push({
      path: [input?.featureView == null ? 'featureView' : 'entityKeyField'],
      message:
        'featureView and entityKeyField go together (the view to enrich with and the request field holding the entity key)',
    });
  }
  return problems;
}

function planOf(spec: DeployInput): RolloutPlan {
  return {
    steps:
      spec.strategy === 'CANARY'
        ? (spec.rollout?.steps ?? DEFAULT_CANARY_STEPS)
        : spec.strategy === 'BLUE_GREEN'
          ? [100]
          : [],
    bakeSeconds: spec.strategy === 'BLUE_GREEN' ? 0 : (spec.rollout?.bakeSeconds ?? DEFAULT_BAKE_SECONDS),
    maxErrorRate: spec.rollout?.maxErrorRate ?? null,
    maxLatencyP99Ms: spec.rollout?.maxLatencyP99Ms ?? null,
    minRequests: spec.rollout?.minRequests ?? 0,
  };
}

/**
 * BAD_USER_INPUT naming `path` when `url` is this Cairn's own listener: the router would send each
 * predict back to itself (the hop limit stops such a loop through other names; this refuses the plain one).
 */
export async function refuseOwnListener(ownListener: OwnListener, url: string, path: string): Promise<void> {
  if (await ownListener.reaches(new URL(url))) {
    throw new InputError([
      {
        path,
        message: "is this Cairn's own listener: a model server must be another process (the router would call itself)",
      },
    ]);
  }
}

/** Who made a deployment besides the request: a promotion's deploy rule. */
export interface DeployOrigin {
  promotionId?: string;
}

export class DeploymentService {
  constructor(
    private readonly db: Database,
    private readonly repository: DeploymentRepository,
    private readonly traffic: TrafficService,
    private readonly rollouts: RolloutService,
    private readonly rolloutRepository: RolloutRepository,
    private readonly providers: DeploymentProviders,
    private readonly clock: () => Date,
    private readonly ownListener: OwnListener,
  ) {}

  /**
   * deployModelVersion: creates the deployment at the endpoint's owner, then in one transaction
   * (holding the endpoint's lock) its catalog row, its lineage edges, the split its strategy asks
   * for, its rollout and the audit event.
   * - RECREATE: it takes 100% of live traffic; every other deployment is retired.
   * - BLUE_GREEN: it waits at 0% (a rollout waits for the switch by setTrafficSplit); blue keeps serving.
   * - CANARY: it takes the plan's first step; the rollout job moves it on after each bake time.
   * - SHADOW: it mirrors `trafficPercent` (default 100) of requests; live traffic is unchanged.
   * - AB_TEST: it takes `trafficPercent` (default 50); the others share the rest, held until changed.
   * On an endpoint that serves nothing yet, every strategy but SHADOW gives it 100% (nothing to compare with).
   */
  async deploy(input: unknown, identity: Identity, origin: DeployOrigin = {}): Promise<DeploymentRow> {
    const spec = parseInput(deploySchema, input, { crossChecks: deployProblems });
    if (spec.modelServerUrl) await refuseOwnListener(this.ownListener, spec.modelServerUrl, 'input.modelServerUrl');
    const version = await this.db.modelVersion.findUnique({
      where: { id: spec.modelVersionId },
      include: { model: true },
    });
    if (!version) throw new NotFoundError('ModelVersion', spec.modelVersionId);
    const archived = () =>
      new InputError([
        {
          path: 'input.modelVersionId',
          message: `${version.model.name} version ${version.version} is ARCHIVED and cannot be deployed`,
        },
      ]);
    if (version.stage === 'ARCHIVED') throw archived();
    let deploymentId: string | null = null;
    try {
      await this.traffic.changeEndpoint(spec.endpointId, async (tx, endpoint, deployments) => {
        // Again under a share lock: a promotion archiving the version waits for this reservation,
        // or committed first and is seen here.
        const [held] = await tx.$queryRaw<
          { stage: string }[]
        >`SELECT stage::text AS stage FROM model_version WHERE id = ${version.id} FOR SHARE`;
        if (held?.stage === 'ARCHIVED') throw archived();
        const inProgress = await this.rolloutRepository.active(tx, endpoint.id);
        if (inProgress)
          throw new ConflictError(
            `endpoint ${endpoint.name} has a ${inProgress.strategy} rollout in progress (${inProgress.id}); finish it or roll back first`,
          );
        const provider = this.providers.get(endpoint.providerName);
        const active = deployments.filter((d) => d.status === 'ACTIVE');
        const current = splitOf(active);
        if (spec.strategy === 'SHADOW' && current.live.length === 0) {
          throw new InputError([
            {
              path: 'input.strategy',
              message: `endpoint ${endpoint.name} serves nothing yet: there is no traffic to mirror`,
            },
          ]);
        }
        const base = `${endpoint.name}/${version.model.name}-v${version.version}`;
        const taken = new Set(deployments.map((d) => d.id));
        let id = globalId('deployment', endpoint.providerName, base);
        for (let n = 2; taken.has(id); n++) id = globalId('deployment', endpoint.providerName, `${base}-${n}`);
        deploymentId = id;
        const plan = planOf(spec);
        const first = current.live.length === 0 || spec.strategy === 'RECREATE';
        const baseline = current.live.some((s) => s.deploymentId === endpoint.stableDeploymentId)
          ? endpoint.stableDeploymentId
          : ([...current.live].sort((a, b) => b.percent - a.percent)[0]?.deploymentId ?? null);
        // A RECREATE retires every other deployment once the new one takes all the traffic.
        const retiring = spec.strategy === 'RECREATE' ? active : [];
        const strategy = first ? null : spec.strategy;
        const rolloutId =
          strategy === 'CANARY' || strategy === 'SHADOW' || strategy === 'BLUE_GREEN' ? randomUUID() : null;
        const split: Split = first
          ? { live: [{ deploymentId: id, percent: 100 }], shadow: spec.strategy === 'RECREATE' ? [] : current.shadow }
          : strategy === 'AB_TEST'
            ? { live: withLiveShare(current.live, id, spec.trafficPercent ?? 50), shadow: current.shadow }
            : strategy === 'SHADOW'
              ? {
                  live: current.live,
                  shadow: [...current.shadow, { deploymentId: id, percent: spec.trafficPercent ?? 100 }],
                }
              : strategy === 'CANARY'
                ? { live: withLiveShare(current.live, id, plan.steps[0]!), shadow: current.shadow }
                : current;
        let nativeId = '';
        return {
          split,
          cause: { reason: origin.promotionId ? 'PROMOTION_RULE' : 'DEPLOY', actor: identity.actor, rolloutId },
          before: async () => {
            ({ nativeId } = await provider.createDeployment(endpointRef(endpoint), {
              id,
              modelVersion: {
                id: version.id,
                nativeId: version.nativeId,
                modelName: version.model.name,
                version: version.version,
              },
              strategy: spec.strategy,
              modelServerUrl: spec.modelServerUrl ?? null,
              featureView: spec.featureView ?? null,
              entityKeyField: spec.entityKeyField ?? null,
            }));
            return [{ id, nativeId }];
          },
          after: retiring.length
            ? async () => {
                for (const old of retiring)
                  await provider.retireDeployment(endpointRef(endpoint), { id: old.id, nativeId: old.nativeId });
              }
            : undefined,
          prepare: async (tx, endpoint) => {
            const now = this.clock();
            await tx.deployment.create({
              data: {
                id,
                endpointId: endpoint.id,
                modelVersionId: version.id,
                strategy: spec.strategy,
                status: 'ACTIVE',
                nativeId,
                modelServerUrl: spec.modelServerUrl ?? null,
                featureView: spec.featureView ?? null,
                entityKeyField: spec.entityKeyField ?? null,
                createdBy: identity.actor,
                promotionId: origin.promotionId ?? null,
                createdAt: now,
                lastSeenAt: now,
              },
            });
            await addLineageEdges(
              tx,
              [
                {
                  from: { id: version.id, kind: 'modelVersion' },
                  to: { id, kind: 'deployment' },
                  relation: 'DEPLOYED_AS',
                  providerName: endpoint.providerName,
                },
                {
                  from: { id, kind: 'deployment' },
                  to: { id: endpoint.id, kind: 'endpoint' },
                  relation: 'SERVED_BY',
                  providerName: endpoint.providerName,
                },
              ],
              'DECLARED',
              now,
            );
            await this.repository.retire(
              tx,
              retiring.map((d) => d.id),
              now,
            );
            if (rolloutId && strategy && strategy !== 'AB_TEST' && strategy !== 'RECREATE') {
              const rollout = await this.rollouts.start(tx, {
                id: rolloutId,
                endpointId: endpoint.id,
                deploymentId: id,
                baselineDeploymentId: baseline,
                strategy,
                plan,
                actor: identity.actor,
              });
              if (strategy === 'CANARY' && plan.steps[0] === 100)
                await this.rolloutRepository.finish(tx, rollout.id, 'SUCCEEDED', "the plan's first step is 100%", now);
            }
          },
          finish: async (tx, endpoint, rows) => {
            await recordAudit(tx, {
              actor: identity.actor,
              action: 'deployModelVersion',
              subjectId: id,
              requestId: identity.requestId,
              payload: {
                endpointId: endpoint.id,
                modelVersionId: version.id,
                strategy: spec.strategy,
                rolloutId,
                promotionId: origin.promotionId ?? null,
                live: rows
                  .filter((d) => d.trafficPercent > 0)
                  .map((d) => ({ deploymentId: d.id, percent: d.trafficPercent })),
              },
            });
          },
        };
      });
      return await this.db.deployment.findUniqueOrThrow({ where: { id: deploymentId! } });
    } catch (error) {
      await recordFailedAttempt(this.db, error, {
        actor: identity.actor,
        action: 'deployModelVersion',
        subjectId: spec.endpointId,
        requestId: identity.requestId,
        payload: { modelVersionId: spec.modelVersionId, strategy: spec.strategy },
      });
      throw error;
    }
  }

  /**
   * retireDeployment: takes a deployment out of its endpoint for good: released at the owner, then
   * RETIRED in the catalog, its lineage edges ended (kept as history). Refused (CONFLICT) while it
   * holds live or shadow traffic, is the stable deployment (where a rollback returns), or is the
   * subject of a rollout in progress.
   */
  async retire(deploymentId: string, identity: Identity): Promise<DeploymentRow> {
    parseGlobalId(deploymentId, 'deploymentId', 'deployment');
    const found = await this.db.deployment.findUnique({ where: { id: deploymentId }, select: { endpointId: true } });
    if (!found) throw new NotFoundError('Deployment', deploymentId);
    try {
      await this.traffic.changeEndpoint(found.endpointId, async (tx, endpoint, deployments) => {
        const deployment = deployments.find((d) => d.id === deploymentId)!;
        if (deployment.status === 'RETIRED') return null;
        if (deployment.trafficPercent > 0 || deployment.shadowPercent > 0) {
          throw new ConflictError(
            `${deploymentId} still takes ${deployment.trafficPercent}% live and ${deployment.shadowPercent}% shadow traffic: move it away first (setTrafficSplit)`,
          );
        }
        if (endpoint.stableDeploymentId === deploymentId)
          throw new ConflictError(
            `${deploymentId} is the stable deployment of ${endpoint.name} (where a rollback returns)`,
          );
        const rollout = await this.rolloutRepository.active(tx, endpoint.id);
        if (rollout?.deploymentId === deploymentId)
          throw new ConflictError(`${deploymentId} is in a ${rollout.strategy} rollout in progress (${rollout.id})`);
        const provider = this.providers.get(endpoint.providerName);
        return {
          split: splitOf(deployments),
          cause: { reason: 'RETIRE', actor: identity.actor },
          after: () =>
            provider.retireDeployment(endpointRef(endpoint), { id: deployment.id, nativeId: deployment.nativeId }),
          prepare: (tx) => this.repository.retire(tx, [deploymentId], this.clock()),
          finish: async (tx, endpoint) => {
            await recordAudit(tx, {
              actor: identity.actor,
              action: 'retireDeployment',
              subjectId: deploymentId,
              requestId: identity.requestId,
              payload: { endpointId: endpoint.id },
            });
          },
        };
      });
      return await this.db.deployment.findUniqueOrThrow({ where: { id: deploymentId } });
    } catch (error) {
      await recordFailedAttempt(this.db, error, {
        actor: identity.actor,
        action: 'retireDeployment',
        subjectId: deploymentId,
        requestId: identity.requestId,
      });
      throw error;
    }
  }

  byIds(ids: readonly string[]) {
    return this.repository.byIds(ids);
  }

  sharingByEndpointIds(ids: readonly string[]) {
    return this.repository.sharingByEndpointIds(ids);
  }

  pageOfEndpoints(ids: readonly string[], take: number, after: TimeKey | null, status: string | null) {
    return this.repository.pageOfEndpoints(ids, take, after, status);
  }

  countByEndpointIds(ids: readonly string[], status: string | null) {
    return this.repository.countByEndpointIds(ids, status);
  }

  byModelVersionIds(ids: readonly string[]) {
    return this.repository.byModelVersionIds(ids);
  }
}
