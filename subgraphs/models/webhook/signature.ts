/**
 * Standard Webhooks signing (https://www.standardwebhooks.com) of webhook deliveries, and the form
 * of the secrets it takes. Free of the GraphQL types, so receivers' tests can sign as Cairn does.
 */
import { Webhook } from 'standardwebhooks';

/** `whsec_` and standard base64 (with its `=` padding), the form Standard Webhooks verifiers decode. */
const SECRET_PATTERN = /^whsec_(?=.)((?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)$/;
export const SECRET_MIN_BYTES = 24;
export const SECRET_MAX_BYTES = 64;
const SECRET_FORM = `whsec_ followed by the base64 of ${SECRET_MIN_BYTES} to ${SECRET_MAX_BYTES} random bytes, e.g. "whsec_" + the output of \`openssl rand -base64 32\``;

/**
 * Why a new subscription's `secret` is not a Standard Webhooks secret, or null when it is:
 * `whsec_` and the base64 of 24 to 64 bytes (the spec's range). The message never repeats it.
 */
export function webhookSecretProblem(secret: string): string | null {
  const base64 = SECRET_PATTERN.exec(secret)?.[1];
  if (base64 === undefined) return `must be ${SECRET_FORM} (the Standard Webhooks form)`;
  const bytes = Buffer.from(base64, 'base64').length;
  if (bytes < SECRET_MIN_BYTES || bytes > SECRET_MAX_BYTES) return `encodes ${bytes} bytes; it must be ${SECRET_FORM}`;
  return null;
}

/**
 * The Standard Webhooks headers of one attempt (https://www.standardwebhooks.com): `webhook-id`,
 * the delivery's ID (the same on every retry, so receivers can drop duplicates), `webhook-timestamp`,
 * this attempt's unix seconds, and `webhook-signature`, `v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">` under the decoded secret. Receivers check it with
 * `new Webhook(secret).verify(body, headers)`, which also refuses timestamps more than 5 minutes off.
 */
export function webhookHeaders(secret: string, id: string, at: Date, body: string): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

/** Whether a stored secret is `whsec_` and base64, so `new Webhook(secret)` can decode it (any length). */
export function signableSecret(secret: string): boolean {
  return SECRET_PATTERN.test(secret);
}
