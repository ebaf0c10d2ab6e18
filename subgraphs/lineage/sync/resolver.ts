import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { SyncRun } from './type.ts';

@Resolver(() => SyncRun)
export class SyncRunResolver {
  @Mutation(() => SyncRun, {
    description:
      "Pulls a cloud provider's assets into the catalog now (a durable job; poll `syncRun`). A sync of it already waiting to start is answered instead of a second one. `full` describes every asset again.",
  })
  syncProvider(
    @Arg('name', () => String) name: string,
    @Arg('full', () => Boolean, { nullable: true }) full: boolean | null,
    @Ctx() { services, actor, requestId }: CairnContext,
  ) {
    return services.sync.request({ name, full: full ?? undefined }, actor, requestId);
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
