import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import { SyncProviderInput, SyncRun } from './type.ts';

@Resolver(() => SyncRun)
export class SyncRunResolver {
  @Mutation(() => SyncRun, {
    description:
      "Pulls a cloud provider's assets into the catalog now (a durable job; poll `syncRun`). A sync of it already waiting to start is answered instead of a second one. `full` describes every asset again.",
  })
  syncProvider(
    @Arg('input', () => SyncProviderInput, { nullable: true }) input: SyncProviderInput | null,
    @Arg('name', () => String, { nullable: true, deprecationReason: USE_INPUT }) name: string | null,
    @Arg('full', () => Boolean, { nullable: true, deprecationReason: USE_INPUT }) full: boolean | null,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    const given = inputOrDeprecatedArguments(input, { name, full }, ['name']);
    return services.sync.request({ name: given.name, full: given.full ?? undefined }, actor, requestId);
  }

  @Query(() => SyncRun, { nullable: true })
  syncRun(@Arg('id', () => ID) id: string, @Ctx() { services }: CairnContext) {
    return services.sync.run(id);
  }

  @Query(() => [SyncRun], { description: 'Newest first.' })
  syncRuns(
    @Arg('provider', () => String, { nullable: true }) provider: string | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.sync.runs(provider ?? null, Math.min(Math.max(first, 1), 200));
  }
}
