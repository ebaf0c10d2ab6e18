import { z } from 'zod';
import type { Database, Transaction } from '../../../platform/database.ts';
import type { JobQueue } from '../../../platform/jobs.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import { log, redact } from '../../../platform/log.ts';
import type { Prisma } from '../../../prisma/generated/client.ts';
import { recordAudit } from '../../../platform/audit.ts';
import { httpUrl, httpUrlProblem, parseInput } from '../../../platform/validate.ts';
import { signableSecret, webhookHeaders, webhookSecretProblem } from './signature.ts';
import { WebhookEvent } from './type.ts';

export const WEBHOOK_JOB = 'webhook-delivery';
const DELIVERY_TIMEOUT_MS = 10_000;

const createSchema = z.object({
  url: httpUrl,
  events: z.array(z.enum(WebhookEvent)).min(1, 'name at least one event'),
  secret: z.string().superRefine((secret, ctx) => {
    const problem = webhookSecretProblem(secret);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
});

export interface WebhookOptions {
  maxAttempts: number;
  retryDelaySeconds: number;
  clock?: () => Date;
}

export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly jobs: JobQueue,
    private readonly options: WebhookOptions,
  ) {}

  async subscribe(input: unknown, actor: string, requestId?: string) {
    const spec = parseInput(createSchema, input);
    return this.db.$transaction(async (tx) => {
      const subscription = await tx.webhookSubscription.create({
        data: { url: spec.url, events: [...new Set(spec.events)], secret: spec.secret, createdBy: actor },
      });
      await recordAudit(tx, {
        actor,
        action: 'createWebhookSubscription',
        subjectId: `webhook:${subscription.id}`,
        requestId,
        payload: { url: redact(spec.url), events: spec.events },
      });
      return subscription;
    });
  }

  async disable(id: string, actor: string, requestId?: string) {
    return this.db.$transaction(async (tx) => {
      const found = await tx.webhookSubscription.findUnique({ where: { id } }).catch(() => null);
      if (!found) throw new NotFoundError('WebhookSubscription', id);
      const subscription = await tx.webhookSubscription.update({ where: { id }, data: { enabled: false } });
      // Queued retries find their delivery no longer PENDING and stop; an attempt in flight does not put it back.
      await tx.webhookDelivery.updateMany({
        where: { subscriptionId: id, status: 'PENDING' },
        data: { status: 'CANCELLED', lastError: 'the subscription was disabled' },
      });
      await recordAudit(tx, { actor, action: 'disableWebhookSubscription', subjectId: `webhook:${id}`, requestId });
      return subscription;
    });
  }

  subscriptions() {
    return this.db.webhookSubscription.findMany({ orderBy: { createdAt: 'asc' } });
  }

  deliveries(subscriptionId: string | null, first: number) {
    return this.db.webhookDelivery.findMany({
      where: subscriptionId ? { subscriptionId } : {},
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: first,
    });
  }

  /**
   * The outbox: inside the caller's transaction, one delivery row and one queued job per enabled
   * subscription to `event`. Both exist only if the transaction commits.
   */
  async enqueue(tx: Transaction, event: WebhookEvent, payload: Prisma.InputJsonValue) {
    const subscriptions = await tx.webhookSubscription.findMany({
      where: { enabled: true, events: { has: event } },
      select: { id: true },
    });
    for (const { id } of subscriptions) {
      const delivery = await tx.webhookDelivery.create({ data: { subscriptionId: id, event, payload } });
      await this.jobs.send(
        WEBHOOK_JOB,
        { deliveryId: delivery.id },
        {
          transaction: tx,
          retryLimit: this.options.maxAttempts - 1,
          retryDelaySeconds: this.options.retryDelaySeconds,
          retryBackoff: true,
        },
      );
    }
  }

  /**
   * Delivers one event: POSTs it signed, records the attempt, and throws on a failure that should
   * be retried, so the job queue tries again with backoff until the attempts are used up.
   */
  async deliver(deliveryId: string): Promise<void> {
    const delivery = await this.db.webhookDelivery.findUnique({
      where: { id: deliveryId },
      include: { subscription: true },
    });
    if (!delivery || delivery.status !== 'PENDING') return;
    if (!delivery.subscription.enabled) {
      await this.db.webhookDelivery.updateMany({
        where: { id: delivery.id, status: 'PENDING' },
        data: { status: 'CANCELLED', lastError: 'the subscription was disabled' },
      });
      return;
    }
    const now = (this.options.clock ?? (() => new Date()))();
    const body = JSON.stringify({
      id: delivery.id,
      event: delivery.event,
      createdAt: delivery.createdAt.toISOString(),
      data: delivery.payload,
    });
    let statusCode: number | null = null;
    let error: string | null = null;
    // A row from before URLs were parsed on the way in: no attempt can ever succeed, so none is retried.
    const urlProblem = httpUrlProblem(delivery.subscription.url);
    // Stored secrets are whsec_ and base64: new ones are checked on the way in, and the migration
    // webhook_standard_secrets rewrote older ones in that form with the same key bytes. A row written
    // around both cannot sign: it fails at once too, with an error that never holds the secret.
    const signable = signableSecret(delivery.subscription.secret);
    const permanent = urlProblem !== null || !signable;
    try {
      if (urlProblem) throw new Error(`the subscription's URL ${urlProblem}`);
      if (!signable) throw new Error("the subscription's signing key is not whsec_ and base64, so it cannot sign");
      const response = await fetch(delivery.subscription.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Cairn-Webhooks/1',
          'cairn-event': delivery.event,
          'cairn-delivery': delivery.id,
          ...webhookHeaders(delivery.subscription.secret, delivery.id, now, body),
        },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      statusCode = response.status;
      await response.body?.cancel();
      if (!response.ok) error = `receiver answered ${response.status}`;
    } catch (failure) {
      // fetch wraps the network error (ECONNREFUSED, a timeout) as its cause.
      const reason = ((failure as Error).cause ?? failure) as Error;
      error = redact(reason.message ?? String(reason));
    }
    const attempts = delivery.attempts + 1;
    const finalFailure = error !== null && (attempts >= this.options.maxAttempts || permanent);
    // Only while still PENDING: a disable during the attempt cancelled it, and that stands.
    const { count } = await this.db.webhookDelivery.updateMany({
      where: { id: delivery.id, status: 'PENDING' },
      data: {
        attempts,
        lastStatusCode: statusCode,
        lastError: error,
        status: error === null ? 'DELIVERED' : finalFailure ? 'FAILED' : 'PENDING',
        deliveredAt: error === null ? now : null,
      },
    });
    if (error === null || count === 0) return;
    log.warn(
      { deliveryId, attempts, statusCode, error },
      finalFailure ? 'webhook delivery failed for good' : 'webhook delivery failed, will retry',
    );
    if (!finalFailure) throw new Error(`webhook delivery ${deliveryId} failed: ${error}`);
  }
}
