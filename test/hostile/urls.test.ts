import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, type TestCairn } from '../testkit.ts';

/**
 * URLs Cairn will call later (webhook receivers, model servers) are parsed by the WHATWG URL rules
 * that fetch and undici apply, when they are set: a URL they would refuse is the caller's mistake
 * now, not a delivery retried forever with "Invalid URL".
 */

const BAD_URLS: [string, string][] = [
  ['no host', 'http://:::'],
  ['port past 65535', 'http://x:99999/'],
  ['file scheme', 'file:///etc/passwd'],
  ['ftp scheme', 'ftp://example.com/'],
  ['javascript scheme', 'javascript:alert(1)'],
  ['credentials', 'http://user:hunter2-secret@127.0.0.1:9/'],
  ['user only', 'https://token-secret@example.com/'],
  ['white space', 'http://exa mple.com/'],
  ['tab', 'http://example.com/\tx'],
  ['NUL', 'http://example.com/\u0000'],
  ['unclosed IPv6', 'http://[::1/'],
  ['bad IPv4', 'http://1.2.3.4.5/'],
  ['empty', ''],
  ['relative', '/endpoints/x'],
];

let cairn: TestCairn;
let endpointId: string;
let versionId: string;

beforeAll(async () => {
  cairn = await startTestCairn();
  endpointId = (await cairn.data('mutation { createEndpoint(input: { name: "urls" }) { id } }')).createEndpoint.id;
  versionId = (await cairn.data('mutation { registerModelVersion(input: { model: "urls" }) { id } }'))
    .registerModelVersion.id;
});
afterAll(async () => {
  await cairn?.close();
});

function expectRefused(
  answer: { errors?: { message: string; extensions?: Record<string, any> }[] },
  field: string,
  what: string,
) {
  expect(answer.errors?.[0]?.extensions?.code, what).toBe('BAD_USER_INPUT');
  expect(
    answer.errors![0]!.extensions!.problems.map((p: { path: string }) => p.path),
    what,
  ).toEqual([field]);
  expect(JSON.stringify(answer), what).not.toContain('secret@');
}

describe('URLs Cairn calls', () => {
  it.each(BAD_URLS)('refuses a webhook URL with %s', async (what, url) => {
    const answer = await cairn.query(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { id } }`,
      {
        input: { url, events: ['MODEL_VERSION_PROMOTED'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      },
    );
    expectRefused(answer, 'input.url', what);
    expect(await cairn.db.webhookSubscription.count()).toBe(0);
  });

  it.each(BAD_URLS)('refuses a model server URL with %s, deploying or in a deploy rule', async (what, url) => {
    const deployed = await cairn.query(
      `mutation($input: DeployModelVersionInput!) { deployModelVersion(input: $input) { id } }`,
      {
        input: { endpointId, modelVersionId: versionId, strategy: 'RECREATE', modelServerUrl: url },
      },
    );
    if (url === '') {
      // An empty URL is "none": the built-in endpoint then refuses the deployment for lacking one.
      expect(deployed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    } else {
      expectRefused(deployed, 'input.modelServerUrl', what);
    }
    const ruled = await cairn.query(
      `mutation($input: SetEndpointDeployRuleInput!) { setEndpointDeployRule(input: $input) { endpoint { id } } }`,
      {
        input: { endpointId, model: 'urls', strategy: 'RECREATE', modelServerUrl: url },
      },
    );
    expectRefused(ruled, 'input.modelServerUrl', what);
    expect(await cairn.db.deployment.count()).toBe(0);
    expect(await cairn.db.endpointDeployRule.count()).toBe(0);
  });

  it('accepts plain http and https URLs, with a port, a path and a query', async () => {
    for (const url of ['http://127.0.0.1:9/hooks?x=1', 'https://hooks.example.com/cairn']) {
      const answer = await cairn.query(
        `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { url } }`,
        {
          input: { url, events: ['MODEL_VERSION_PROMOTED'], secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        },
      );
      expect(answer.errors, url).toBeUndefined();
      expect(answer.data.createWebhookSubscription.url).toBe(url);
    }
  });
});
