import { z } from 'zod';
import type { Database, Transaction } from '../../../platform/database.ts';
import type { JobQueue } from '../../../platform/jobs.ts';
import { BUILTIN_PROVIDER } from '../../../adapters/builtin/provider.ts';
import { InputError, isCairnError, NotFoundError } from '../../../platform/errors.ts';
import { parseGlobalId } from '../../../platform/ids.ts';
import { log } from '../../../platform/log.ts';
import { Prisma } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { globalIdProblems, httpUrlProblem, NAME_PATTERN, NAME_RULE, parseInput } from '../../../platform/validate.ts';
import { DEPLOYMENTS_JOB, type DeploymentsJob, type PromotedVersion } from '../jobs.ts';
import type { Identity } from '../providers.ts';
import {
  canaryStepProblems,
  canaryThresholdFields,
  DEFAULT_BAKE_SECONDS,
  DEFAULT_CANARY_STEPS,
  refuseOwnListener,
  type DeploymentService,
} from '../deployment/service.ts';
import type { OwnListener } from '../own-listener.ts';

const RULE_STRATEGIES = ['RECREATE', 'BLUE_GREEN', 'CANARY'] as const;

const ruleSchema = z.object({
  endpointId: z.string().min(1),
  model: z.string().regex(NAME_PATTERN, NAME_RULE),
  modelProvider: z.string().min(1).max(100).nullish(),
  strategy: z.enum(RULE_STRATEGIES, { message: 'a rule deploys with RECREATE, BLUE_GREEN or CANARY' }),
  modelServerUrl: z.string().max(2048).nullish(),
  canarySteps: z.array(z.number().int().min(1).max(100)).min(1).max(20).nullish(),
  ...canaryThresholdFields,
});

/** `{model}` and `{version}` in a rule's model server URL, replaced by the promoted version's. */
export function expandServerUrl(template: string, model: string, version: number): string {
  return template.replaceAll('{model}', encodeURIComponent(model)).replaceAll('{version}', String(version));
}

function ruleProblems(input: any) {
  const problems: { path: (string | number)[]; message: string }[] = [];
  problems.push(...globalIdProblems(input, 'endpointId', 'endpoint'));
  const urlProblem =
    typeof input?.modelServerUrl === 'string' ? httpUrlProblem(expandServerUrl(input.modelServerUrl, 'm', 1)) : null;
  if (urlProblem)
    problems.push({ path: ['modelServerUrl'], message: `${urlProblem} (it may hold {model} and {version})` });
  const steps = input?.canarySteps;
  if (Array.isArray(steps) && steps.length > 0 && input?.strategy !== 'CANARY')
    problems.push({ path: ['canarySteps'], message: 'only a CANARY rule takes steps' });
  problems.push(...canaryStepProblems(steps, ['canarySteps']));
  for (const field of ['maxErrorRate', 'maxLatencyP99Ms', 'minRequests']) {
    if (input?.[field] != null && input?.strategy !== 'CANARY')
      problems.push({ path: [field], message: 'only a CANARY rule takes thresholds' });
  }
  return problems;
}

/**
 * "Deploy the PRODUCTION version of model M with strategy S" per endpoint. A promotion to
 * PRODUCTION queues one job per matching rule inside the promotion's own transaction (the outbox:
 * the job exists exactly when the promotion does); the job deploys once, however often it is delivered.
 */
export class DeployRuleService {
  constructor(
    private readonly db: Database,
    private readonly jobs: JobQueue,
    private readonly deployments: DeploymentService,
    private readonly ownListener: OwnListener,
  ) {}

  async set(input: unknown, identity: Identity) {
    const spec = parseInput(ruleSchema, input, { crossChecks: ruleProblems });
    if (spec.modelServerUrl)
      await refuseOwnListener(this.ownListener, expandServerUrl(spec.modelServerUrl, 'm', 1), 'input.modelServerUrl');
    const endpoint = await this.db.endpoint.findUnique({ where: { id: spec.endpointId } });
    if (!endpoint) throw new NotFoundError('Endpoint', spec.endpointId);
    if (endpoint.providerName === BUILTIN_PROVIDER && !spec.modelServerUrl) {
      throw new InputError([
        {
          path: 'input.modelServerUrl',
          message: "a built-in endpoint's rule needs the model server URL (it may hold {model} and {version})",
        },
      ]);
    }
    const data = {
      modelName: spec.model,
      modelProvider: spec.modelProvider ?? BUILTIN_PROVIDER,
      strategy: spec.strategy,
      modelServerUrl: spec.modelServerUrl ?? null,
      canarySteps: spec.strategy === 'CANARY' ? (spec.canarySteps ?? DEFAULT_CANARY_STEPS) : [],
      bakeSeconds: spec.bakeSeconds ?? DEFAULT_BAKE_SECONDS,
      maxErrorRate: spec.maxErrorRate ?? null,
      maxLatencyP99Ms: spec.maxLatencyP99Ms ?? null,
      minRequests: spec.minRequests ?? 0,
      enabled: true,
      createdBy: identity.actor,
    };
    return this.db.$transaction(async (tx) => {
      const rule = await tx.endpointDeployRule.upsert({
        where: { endpointId: endpoint.id },
        create: { endpointId: endpoint.id, ...data },
        update: data,
      });
      await recordAudit(tx, {
        actor: identity.actor,
        action: 'setEndpointDeployRule',
        subjectId: endpoint.id,
        requestId: identity.requestId,
        payload: { ...data, createdBy: undefined } as never,
      });
      return rule;
    });
  }

  async remove(endpointId: string, identity: Identity) {
    parseGlobalId(endpointId, 'endpointId', 'endpoint');
    return this.db.$transaction(async (tx) => {
      const endpoint = await tx.endpoint.findUnique({ where: { id: endpointId } });
      if (!endpoint) throw new NotFoundError('Endpoint', endpointId);
      const { count } = await tx.endpointDeployRule.deleteMany({ where: { endpointId } });
      if (count)
        await recordAudit(tx, {
          actor: identity.actor,
          action: 'removeEndpointDeployRule',
          subjectId: endpointId,
          requestId: identity.requestId,
        });
      return endpoint;
    });
  }

  byEndpointIds(ids: readonly string[]) {
    return this.db.endpointDeployRule.findMany({ where: { endpointId: { in: [...ids] } } });
  }

  /** Inside the promotion's transaction: one deploy job per enabled rule for the promoted model. */
  async enqueueForPromotion(tx: Transaction, promoted: PromotedVersion) {
    const rules = await tx.endpointDeployRule.findMany({
      where: { modelName: promoted.modelName, modelProvider: promoted.modelProvider, enabled: true },
      select: { endpointId: true },
    });
    for (const { endpointId } of rules) {
      await this.jobs.send<DeploymentsJob>(
        DEPLOYMENTS_JOB,
        { kind: 'deploy-rule', ...promoted, endpointId },
        { transaction: tx, retryLimit: 8, retryDelaySeconds: 10, retryBackoff: true },
      );
    }
  }

  /**
   * The job: deploys the promoted version by the endpoint's rule. Does nothing when this promotion
   * already deployed there (a redelivery), when the version is no longer in PRODUCTION, when the
   * rule is gone, or when the version already takes all of the endpoint's live traffic. A rollout
   * in progress on the endpoint (CONFLICT) or an unreachable owner is retried with backoff.
   */
  async runJob(job: PromotedVersion & { endpointId: string }): Promise<void> {
    const context = { promotionId: job.promotionId, endpointId: job.endpointId, modelVersionId: job.modelVersionId };
    const [rule, version, done, serving] = await Promise.all([
      this.db.endpointDeployRule.findUnique({ where: { endpointId: job.endpointId } }),
      this.db.modelVersion.findUnique({ where: { id: job.modelVersionId }, include: { model: true } }),
      this.db.deployment.findFirst({
        where: { endpointId: job.endpointId, promotionId: job.promotionId },
        select: { id: true },
      }),
      this.db.deployment.findFirst({
        where: {
          endpointId: job.endpointId,
          modelVersionId: job.modelVersionId,
          status: 'ACTIVE',
          trafficPercent: 100,
        },
        select: { id: true },
      }),
    ]);
    if (done || serving) return;
    if (!rule?.enabled || rule.modelName !== job.modelName || rule.modelProvider !== job.modelProvider) {
      log.info(context, 'deploy rule gone or changed since the promotion: nothing deployed');
      return;
    }
    if (!version || version.stage !== 'PRODUCTION') {
      log.info(context, 'promoted version no longer in PRODUCTION: nothing deployed');
      return;
    }
    const input = {
      endpointId: job.endpointId,
      modelVersionId: job.modelVersionId,
      strategy: rule.strategy,
      modelServerUrl: rule.modelServerUrl
        ? expandServerUrl(rule.modelServerUrl, version.model.name, version.version)
        : null,
      rollout:
        rule.strategy === 'CANARY'
          ? {
              steps: rule.canarySteps.length ? rule.canarySteps : DEFAULT_CANARY_STEPS,
              bakeSeconds: rule.bakeSeconds,
              maxErrorRate: rule.maxErrorRate,
              maxLatencyP99Ms: rule.maxLatencyP99Ms,
              minRequests: rule.minRequests,
            }
          : null,
    };
    try {
      const deployment = await this.deployments.deploy(
        input,
        { actor: `${job.actor} (deploy rule)` },
        { promotionId: job.promotionId },
      );
      log.info(
        { ...context, deploymentId: deployment.id, strategy: rule.strategy },
        'deployed by rule after a promotion',
      );
    } catch (error) {
      // A concurrent delivery of the same job won the unique (endpoint, promotion) row.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return;
      if (isCairnError(error) && (error.code === 'BAD_USER_INPUT' || error.code === 'NOT_FOUND')) {
        log.error({ ...context, err: error }, 'deploy rule could not deploy the promoted version (not retried)');
        return;
      }
      throw error;
    }
  }
}
