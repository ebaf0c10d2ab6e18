import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import { MAX_PAGE, pageRequest, timeKeyCursors, toPage } from '../../shared/connection.ts';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import { SyncProviderInput, SyncRun, SyncRunConnection } from './type.ts';

const SYNC_RUN_CURSORS = timeKeyCursors('syncRuns');

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

  @Query(() => SyncRunConnection, {
    description: `Sync runs of every provider, or of one provider instance, newest first; \`first\` at most ${MAX_PAGE}.`,
  })
  async syncRuns(
    @Arg('provider', () => String, { nullable: true }) provider: string | null,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() { services }: CairnContext,
  ) {
    const page = pageRequest(SYNC_RUN_CURSORS, { first, after });
    const { rows, total } = await services.sync.runs(provider ?? null, page.size + 1, page.cursor);
    return toPage(rows, page, SYNC_RUN_CURSORS, (row) => ({ at: row.createdAt, id: row.id }), total);
  }
}
