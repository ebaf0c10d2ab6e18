import { createHmac, randomBytes } from 'node:crypto';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabase } from '../platform/database.ts';
import { applyMigrations } from '../prisma/migrate.ts';
import { webhookHeaders } from '../subgraphs/models/webhook/signature.ts';
import { scratchDatabase, startTestCairn, waitFor, type TestCairn } from './testkit.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

let cairn: TestCairn;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** Status codes the receiver answers, in order; 200 once they run out. */
const script: number[] = [];
/** A Standard Webhooks secret as a receiver would make one: whsec_ and the base64 of 32 random bytes. */
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** The headers a receiver hands its verifier: Node's, with any repeated header joined. */
function flat(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
  );
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const answered = script.shift() ?? 200;
      received.push({ headers: req.headers, body, answered });
      res.writeHead(answered).end();
    });
  });
  receiverUrl = `${await listen(receiver)}/hooks`;
  cairn = await startTestCairn({
    CAIRN_WEBHOOK_RETRY_DELAY_SECONDS: '1',
    CAIRN_WEBHOOK_MAX_ATTEMPTS: '3',
    CAIRN_JOB_POLL_SECONDS: '0.5',
  });
});
afterAll(async () => {
  await cairn?.close();
  receiver?.close();
});

describe('webhooks', () => {
  it('refuses a bad subscription with every problem listed', async () => {
    const answer = await cairn.query(
      'mutation { createWebhookSubscription(input: { url: "ftp://x", events: [], secret: "short" }) { id } }',
    );
    expect(answer.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.extensions!.problems.map((p: { path: string }) => p.path).sort()).toEqual([
      'input.events',
      'input.secret',
      'input.url',
    ]);
    expect(await cairn.db.webhookSubscription.count()).toBe(0);
  });

  it('takes only Standard Webhooks secrets (whsec_ and the base64 of 24 to 64 bytes), and never repeats one', async () => {
    const refused = [
      'a-plain-password-of-many-characters', // the old rule: 16 characters or more
      SECRET.slice('whsec_'.length), // base64 without the prefix
      `whsec_${randomBytes(16).toString('base64')}`, // too short a key
      `whsec_${randomBytes(65).toString('base64')}`, // too long
      `whsec_${randomBytes(32).toString('base64url')}!`, // not standard base64
      `whsec_${randomBytes(32).toString('base64').replace(/=+$/, '')}`, // padding dropped
      'whsec_',
    ];
    for (const secret of refused) {
      const answer = await cairn.query(
        `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { id } }`,
        { input: { url: receiverUrl, events: ['MODEL_VERSION_PROMOTED'], secret } },
      );
      expect(answer.errors?.[0]?.extensions?.code, secret).toBe('BAD_USER_INPUT');
      const problems = answer.errors![0]!.extensions!.problems as { path: string; message: string }[];
      expect(problems.map((p) => p.path)).toEqual(['input.secret']);
      expect(problems[0]!.message).toContain('whsec_ followed by the base64 of 24 to 64 random bytes');
      // (The bare prefix is named by the message itself.)
      if (secret !== 'whsec_') expect(JSON.stringify(answer)).not.toContain(secret);
    }
    expect(await cairn.db.webhookSubscription.count()).toBe(0);
    for (const bytes of [24, 64]) {
      const accepted = await cairn.query(
        `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { id } }`,
        {
          input: {
            url: receiverUrl,
            events: ['MODEL_VERSION_PROMOTED'],
            secret: `whsec_${randomBytes(bytes).toString('base64')}`,
          },
        },
      );
      expect(accepted.errors).toBeUndefined();
      await cairn.data(
        `mutation { disableWebhookSubscription(input: { id: "${accepted.data.createWebhookSubscription.id}" }) { id } }`,
      );
    }
  });

  it('delivers a promotion, signed, retrying after the receiver fails, and shows the attempts', async () => {
    const created = await cairn.query(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { id url events enabled } }`,
      { input: { url: receiverUrl, events: ['MODEL_VERSION_PROMOTED'], secret: SECRET } },
    );
    expect(created.errors).toBeUndefined();
    const subscriptionId = created.data.createWebhookSubscription.id;
    expect(JSON.stringify(created)).not.toContain(SECRET);

    const version = (await cairn.query('mutation { registerModelVersion(input: { model: "hooked" }) { id } }')).data
      .registerModelVersion;
    script.push(500);
    const promoted = await cairn.query(
      `mutation { promoteModelVersion(input: { modelVersionId: "${version.id}", to: STAGING }) { applied promotion { id } } }`,
    );
    expect(promoted.data.promoteModelVersion.applied).toBe(true);

    const delivery = await waitFor(async () => {
      const { data } = await cairn.query(
        `{ webhookDeliveries(subscriptionId: "${subscriptionId}") { id event status attempts lastStatusCode lastError deliveredAt } }`,
      );
      return data.webhookDeliveries[0]?.status === 'DELIVERED' ? data.webhookDeliveries[0] : undefined;
    });
    expect(delivery).toMatchObject({
      event: 'MODEL_VERSION_PROMOTED',
      status: 'DELIVERED',
      attempts: 2,
      lastStatusCode: 200,
      lastError: null,
    });
    expect(received.map((r) => r.answered)).toEqual([500, 200]);

    const [first, last] = received.slice(-2) as [Received, Received];
    // Standard Webhooks: the delivery's ID on every attempt, each attempt's own time, and
    // v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>"> under the secret's decoded bytes.
    for (const attempt of [first, last]) {
      const id = attempt.headers['webhook-id'];
      const timestamp = String(attempt.headers['webhook-timestamp']);
      expect(id).toBe(delivery.id);
      expect(timestamp).toMatch(/^\d+$/);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
      const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
      const mac = createHmac('sha256', key).update(`${id}.${timestamp}.${attempt.body}`).digest('base64');
      expect(attempt.headers['webhook-signature']).toBe(`v1,${mac}`);
      expect(new Webhook(SECRET).verify(attempt.body, flat(attempt.headers))).toEqual(JSON.parse(attempt.body));
      expect(attempt.headers['cairn-signature']).toBeUndefined();
    }
    expect(first.body).toBe(last.body);
    expect(last.headers['cairn-event']).toBe('MODEL_VERSION_PROMOTED');
    expect(last.headers['cairn-delivery']).toBe(delivery.id);
    const body = JSON.parse(last.body);
    expect(body).toMatchObject({
      id: delivery.id,
      event: 'MODEL_VERSION_PROMOTED',
      data: {
        modelVersionId: version.id,
        to: 'STAGING',
        status: 'APPLIED',
        promotionId: promoted.data.promoteModelVersion.promotion.id,
      },
    });
    // Only the subscribed event: the registration was not delivered.
    expect(received.every((r) => JSON.parse(r.body).event === 'MODEL_VERSION_PROMOTED')).toBe(true);
  });

  it('gives up after the last attempt and marks the delivery FAILED', async () => {
    const created = await cairn.query(
      `mutation { createWebhookSubscription(input: { url: "${receiverUrl}", events: [PROMOTION_DENIED], secret: "${SECRET}" }) { id } }`,
    );
    const subscriptionId = created.data.createWebhookSubscription.id;
    await cairn.query(
      'mutation { applyPolicy(input: { name: "never", appliesTo: PRODUCTION, modelPattern: "doomed", expression: "false", message: "no" }) { version } }',
    );
    const version = (await cairn.query('mutation { registerModelVersion(input: { model: "doomed" }) { id } }')).data
      .registerModelVersion;
    script.push(503, 503, 503);
    const denied = await cairn.query(
      `mutation { promoteModelVersion(input: { modelVersionId: "${version.id}", to: PRODUCTION }) { allowed } }`,
    );
    expect(denied.data.promoteModelVersion.allowed).toBe(false);
    const delivery = await waitFor(async () => {
      const { data } = await cairn.query(
        `{ webhookDeliveries(subscriptionId: "${subscriptionId}") { status attempts lastStatusCode lastError } }`,
      );
      return data.webhookDeliveries[0]?.status === 'FAILED' ? data.webhookDeliveries[0] : undefined;
    });
    expect(delivery).toEqual({
      status: 'FAILED',
      attempts: 3,
      lastStatusCode: 503,
      lastError: 'receiver answered 503',
    });
  });

  it('stops retrying the deliveries of a subscription once it is disabled, and marks them CANCELLED', async () => {
    const created = await cairn.query(
      `mutation { createWebhookSubscription(input: { url: "${receiverUrl}?disabled", events: [MODEL_VERSION_REGISTERED], secret: "${SECRET}" }) { id } }`,
    );
    const subscriptionId = created.data.createWebhookSubscription.id;
    const toThis = () => received.filter((r) => JSON.parse(r.body).event === 'MODEL_VERSION_REGISTERED').length;
    script.push(500, 500, 500);
    await cairn.data('mutation { registerModelVersion(input: { model: "unheard" }) { id } }');
    await waitFor(async () => {
      const { data } = await cairn.query(`{ webhookDeliveries(subscriptionId: "${subscriptionId}") { attempts } }`);
      return data.webhookDeliveries[0]?.attempts >= 1 ? true : undefined;
    });
    const attempted = toThis();
    // The deprecated form (`id:` rather than `input:`), kept until it is removed: it still disables.
    const disabled = await cairn.query(`mutation { disableWebhookSubscription(id: "${subscriptionId}") { enabled } }`);
    expect(disabled.data.disableWebhookSubscription.enabled).toBe(false);
    // Retries were due after 1 s and 2 s more (3 attempts, backoff): none of them may reach the receiver.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(toThis()).toBe(attempted);
    const { data } = await cairn.query(
      `{ webhookDeliveries(subscriptionId: "${subscriptionId}") { status attempts lastError } }`,
    );
    expect(data.webhookDeliveries).toEqual([
      { status: 'CANCELLED', attempts: attempted, lastError: 'the subscription was disabled' },
    ]);
    script.length = 0;
  }, 20_000);

  it('fails at once, without retries, a delivery to a URL stored before URLs were parsed on the way in', async () => {
    // Written around the API: createWebhookSubscription refuses this URL now.
    const subscription = await cairn.db.webhookSubscription.create({
      data: { url: 'http://x:99999/', events: ['PROMOTION_DENIED'], secret: SECRET, createdBy: 'test' },
    });
    await cairn.query(
      'mutation { applyPolicy(input: { name: "never-again", appliesTo: PRODUCTION, modelPattern: "unreachable", expression: "false", message: "no" }) { version } }',
    );
    const version = (await cairn.query('mutation { registerModelVersion(input: { model: "unreachable" }) { id } }'))
      .data.registerModelVersion;
    await cairn.query(
      `mutation { promoteModelVersion(input: { modelVersionId: "${version.id}", to: PRODUCTION }) { allowed } }`,
    );
    const delivery = await waitFor(async () => {
      const { data } = await cairn.query(
        `{ webhookDeliveries(subscriptionId: "${subscription.id}") { status attempts lastError } }`,
      );
      return data.webhookDeliveries[0]?.status === 'FAILED' ? data.webhookDeliveries[0] : undefined;
    });
    expect(delivery).toEqual({ status: 'FAILED', attempts: 1, lastError: expect.stringContaining('URL') });
  });

  it('fails at once, without retries or leaking it, a delivery whose stored secret cannot sign', async () => {
    // Written around the API and the migration: neither leaves such a secret.
    const secret = 'not base64 at all: hunter2-hunter2';
    const subscription = await cairn.db.webhookSubscription.create({
      data: { url: `${receiverUrl}?unsignable`, events: ['MODEL_VERSION_REGISTERED'], secret, createdBy: 'test' },
    });
    const before = received.length;
    await cairn.data('mutation { registerModelVersion(input: { model: "unsignable" }) { id } }');
    const delivery = await waitFor(async () => {
      const { data } = await cairn.query(
        `{ webhookDeliveries(subscriptionId: "${subscription.id}") { status attempts lastError } }`,
      );
      return data.webhookDeliveries[0]?.status === 'FAILED' ? data.webhookDeliveries[0] : undefined;
    });
    expect(delivery).toEqual({ status: 'FAILED', attempts: 1, lastError: expect.stringContaining('cannot sign') });
    expect(delivery.lastError).not.toContain('hunter2');
    // Nothing was sent: an unsigned or wrongly signed POST never leaves Cairn.
    expect(received.slice(before).filter((r) => r.body.includes('unsignable'))).toEqual([]);
    await cairn.data(`mutation { disableWebhookSubscription(input: { id: "${subscription.id}" }) { id } }`);
  });
});

describe('a receiver verifying deliveries with the Standard Webhooks library', () => {
  const verifierSecret = `whsec_${randomBytes(32).toString('base64')}`;
  /** What the receiver saw: the raw body, the headers, and the verifier's verdict. */
  const seen: { body: string; headers: Record<string, string>; verdict: string }[] = [];
  let verifier: Server;
  let verifierUrl: string;

  beforeAll(async () => {
    // The receiver a user would write: the raw body and the headers to `new Webhook(secret).verify`,
    // 204 when it passes, 401 with the verifier's reason when it does not.
    verifier = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = flat(req.headers);
        try {
          new Webhook(verifierSecret).verify(body, headers);
          seen.push({ body, headers, verdict: 'verified' });
          res.writeHead(204).end();
        } catch (failure) {
          seen.push({ body, headers, verdict: (failure as Error).message });
          res.writeHead(401).end((failure as Error).message);
        }
      });
    });
    verifierUrl = `${await listen(verifier)}/verify`;
  });
  afterAll(() => {
    verifier?.close();
  });

  /** POSTs to the receiver as a replaying or tampering third party would: answers its status and reason. */
  async function post(body: string, headers: Record<string, string>) {
    const response = await fetch(verifierUrl, { method: 'POST', headers, body });
    return { status: response.status, reason: await response.text() };
  }

  it('verifies a real delivery, and refuses it tampered with, re-timed, or signed too long ago', async () => {
    const created = await cairn.query(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { id } }`,
      { input: { url: verifierUrl, events: ['MODEL_VERSION_REGISTERED'], secret: verifierSecret } },
    );
    expect(created.errors).toBeUndefined();
    const subscriptionId = created.data.createWebhookSubscription.id;
    const version = (await cairn.data('mutation { registerModelVersion(input: { model: "verified" }) { id } }'))
      .registerModelVersion;
    const delivery = await waitFor(async () => {
      const { data } = await cairn.query(
        `{ webhookDeliveries(subscriptionId: "${subscriptionId}") { id status attempts lastStatusCode } }`,
      );
      return data.webhookDeliveries[0]?.status === 'DELIVERED' ? data.webhookDeliveries[0] : undefined;
    });
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 204 });
    expect(seen).toHaveLength(1);
    const [genuine] = seen as [(typeof seen)[number]];
    expect(genuine.verdict).toBe('verified');
    expect(genuine.headers['webhook-id']).toBe(delivery.id);
    expect(JSON.parse(genuine.body)).toMatchObject({
      id: delivery.id,
      event: 'MODEL_VERSION_REGISTERED',
      data: { modelVersionId: version.id },
    });

    const signed = { 'content-type': 'application/json', ...genuine.headers };
    // The body changed by one character: the signature no longer matches.
    const tampered = genuine.body.replace('"verified', '"verifieD');
    expect(tampered).not.toBe(genuine.body);
    expect(await post(tampered, signed)).toEqual({ status: 401, reason: 'No matching signature found' });
    // The timestamp moved to make an old delivery look fresh: it is signed too.
    const retimed = { ...signed, 'webhook-timestamp': String(Number(genuine.headers['webhook-timestamp']) + 1) };
    expect(await post(genuine.body, retimed)).toEqual({ status: 401, reason: 'No matching signature found' });
    // Another secret's signature.
    const forged = webhookHeaders(`whsec_${randomBytes(32).toString('base64')}`, delivery.id, new Date(), genuine.body);
    expect(await post(genuine.body, { ...signed, ...forged })).toEqual({
      status: 401,
      reason: 'No matching signature found',
    });
    // Signed by the right secret, but 10 minutes ago (a replay): past the verifier's 5-minute tolerance.
    const old = webhookHeaders(verifierSecret, delivery.id, new Date(Date.now() - 10 * 60_000), genuine.body);
    expect(await post(genuine.body, { ...signed, ...old })).toEqual({
      status: 401,
      reason: 'Message timestamp too old',
    });
    // Headers missing: no Standard Webhooks headers at all.
    expect(await post(genuine.body, { 'content-type': 'application/json' })).toEqual({
      status: 401,
      reason: 'Missing required headers',
    });
    // The same message again, as signed: still verifies (receivers drop it as a duplicate by webhook-id).
    expect(await post(genuine.body, signed)).toEqual({ status: 204, reason: '' });
    await cairn.data(`mutation { disableWebhookSubscription(input: { id: "${subscriptionId}" }) { id } }`);
  });
});

describe('upgrading a database with subscriptions from before Standard Webhooks', () => {
  it('rewrites each secret as whsec_ and the base64 of its bytes, so the key and the signatures stay the same', async () => {
    const MIGRATIONS = fileURLToPath(new URL('../prisma/migrations', import.meta.url));
    const STANDARD_SECRETS = '20261203193000_webhook_standard_secrets';
    const before = await mkdtemp(join(tmpdir(), 'cairn-migrations-'));
    const scratch = await scratchDatabase();
    const server = await startDatabase({ databaseUrl: scratch.url, dataDir: scratch.dataDir });
    const client = new pg.Client({ connectionString: server.url });
    // Secrets the old rule took: 16 characters or more, any text, even whsec_-looking ones.
    const legacy = {
      plain: 'a-plain-password-of-many-characters',
      prefixed: 'whsec_0123456789abcdef',
      unicode: 'clé-secrète-ünïcødé-🔑',
      long: 'x'.repeat(512),
    };
    try {
      for (const entry of await readdir(MIGRATIONS)) {
        if (entry < STANDARD_SECRETS) await cp(join(MIGRATIONS, entry), join(before, entry), { recursive: true });
      }
      await applyMigrations(server.url, { migrationsDir: before });
      await client.connect();
      for (const [id, secret] of Object.entries(legacy)) {
        await client.query(
          `INSERT INTO webhook_subscription (id, url, events, secret, created_by) VALUES ($1, 'http://127.0.0.1:9/', '{}', $2, 'test')`,
          [id, secret],
        );
      }

      await applyMigrations(server.url);
      const { rows } = await client.query<{ id: keyof typeof legacy; secret: string }>(
        'SELECT id, secret FROM webhook_subscription',
      );
      expect(rows).toHaveLength(4);
      const at = new Date();
      const timestamp = Math.floor(at.getTime() / 1000);
      for (const { id, secret } of rows) {
        const old = legacy[id];
        expect(secret).toBe(`whsec_${Buffer.from(old, 'utf8').toString('base64')}`);
        // The key is the old one: the old HMAC over the Standard Webhooks content is the new signature.
        const mac = createHmac('sha256', old).update(`msg_1.${timestamp}.{}`).digest('base64');
        expect(webhookHeaders(secret, 'msg_1', at, '{}')['webhook-signature']).toBe(`v1,${mac}`);
      }
    } finally {
      await client.end().catch(() => {});
      await server.close();
      await scratch.drop();
      await rm(before, { recursive: true, force: true });
    }
  });
});
