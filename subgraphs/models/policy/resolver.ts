import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { ApplyPolicyInput, Policy } from './type.ts';

@Resolver(() => Policy)
export class PolicyResolver {
  @Query(() => [Policy], { description: 'The policies in force: the latest enabled version of each.' })
  policies(@Ctx() { services }: CairnContext) {
    return services.models.policies.list();
  }

  @Query(() => [Policy], { description: 'Every version of one policy, newest first.' })
  policyHistory(@Arg('name', () => String) name: string, @Ctx() { services }: CairnContext) {
    return services.models.policies.history(name);
  }

  @Mutation(() => Policy, {
    description: 'Creates or changes a policy (a change is a new version). The expression must compile.',
  })
  applyPolicy(
    @Arg('input', () => ApplyPolicyInput) input: ApplyPolicyInput,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.models.policies.apply(input, actor, { requestId });
  }
}
