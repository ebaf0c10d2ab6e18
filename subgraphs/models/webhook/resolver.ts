import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import {
  CreateWebhookSubscriptionInput,
  DisableWebhookSubscriptionInput,
  WebhookDelivery,
  WebhookSubscription,
} from './type.ts';

@Resolver(() => WebhookSubscription)
export class WebhookResolver {
  @Query(() => [WebhookSubscription])
  webhookSubscriptions(@Ctx() { services }: CairnContext) {
    return services.models.webhooks.subscriptions();
  }

  @Query(() => [WebhookDelivery], { description: "Newest first; every attempt's outcome is on the delivery." })
  webhookDeliveries(
    @Arg('subscriptionId', () => ID, { nullable: true }) subscriptionId: string | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.models.webhooks.deliveries(subscriptionId, Math.min(Math.max(first, 1), 500));
  }

  @Mutation(() => WebhookSubscription)
  createWebhookSubscription(
    @Arg('input', () => CreateWebhookSubscriptionInput) input: CreateWebhookSubscriptionInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.models.webhooks.subscribe(input, actor, requestId);
  }

  @Mutation(() => WebhookSubscription)
  disableWebhookSubscription(
    @Arg('input', () => DisableWebhookSubscriptionInput, { nullable: true })
    input: DisableWebhookSubscriptionInput | null,
    @Arg('id', () => ID, { nullable: true, deprecationReason: USE_INPUT }) id: string | null,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    const given = inputOrDeprecatedArguments(input, { id }, ['id']);
    return services.models.webhooks.disable(given.id, actor, requestId);
  }
}
