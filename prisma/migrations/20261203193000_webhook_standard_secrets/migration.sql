-- Webhook deliveries are signed the Standard Webhooks way, whose secrets are `whsec_` and base64.
-- Until now a subscription's secret was the HMAC key as it stood (its UTF-8 bytes): each becomes
-- `whsec_` + the base64 of those bytes, the same key, which is the value its receiver now passes to
-- a Standard Webhooks verifier. (encode() breaks base64 into lines of 76; the breaks are removed.)
UPDATE "webhook_subscription"
SET "secret" = 'whsec_' || translate(encode(convert_to("secret", 'UTF8'), 'base64'), chr(10), '');
