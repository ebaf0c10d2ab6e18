import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { DeliveryStatus } from '../../shared/enums.ts';

export enum WebhookEvent {
  MODEL_VERSION_REGISTERED = 'MODEL_VERSION_REGISTERED',
  MODEL_VERSION_PROMOTED = 'MODEL_VERSION_PROMOTED',
  PROMOTION_DENIED = 'PROMOTION_DENIED',
}
registerEnumType(WebhookEvent, { name: 'WebhookEvent' });

@ObjectType({
  description:
    "Where Cairn POSTs events, signed the Standard Webhooks way with the subscription's secret (never shown again).",
})
export class WebhookSubscription {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [WebhookEvent])
  events!: WebhookEvent[];

  @Field(() => Boolean)
  enabled!: boolean;

  @Field(() => String)
  createdBy!: string;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}

@ObjectType({ description: 'One event for one subscription, with its delivery attempts so far.' })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  subscriptionId!: string;

  @Field(() => WebhookEvent)
  event!: WebhookEvent;

  @Field(() => DeliveryStatus, {
    description:
      'PENDING (queued or retrying), DELIVERED, FAILED after the last attempt, or CANCELLED when its subscription was disabled first.',
  })
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  deliveredAt!: Date | null;
}

@InputType()
export class CreateWebhookSubscriptionInput {
  @Field(() => String, { description: 'http(s) URL that receives POSTs.' })
  url!: string;

  @Field(() => [WebhookEvent])
  events!: WebhookEvent[];

  @Field(() => String, {
    description:
      'A Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes. Signs every delivery (webhook-signature, HMAC-SHA256). Never answered back.',
  })
  secret!: string;
}

@InputType()
export class DisableWebhookSubscriptionInput {
  @Field(() => ID, { description: 'The subscription to disable.' })
  id!: string;
}
