import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { inputOrDeprecatedArguments, USE_INPUT } from '../../shared/deprecated-arguments.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { MaterializationRun, MaterializeInput } from './type.ts';

@Resolver(() => MaterializationRun)
export class MaterializationResolver {
  @Mutation(() => MaterializationRun, {
    description:
      'Queues a durable job that copies the latest values as of endTime (default now), within TTL, to the online store, incrementally from the last run.',
  })
  materialize(
    @Arg('input', () => MaterializeInput, { nullable: true }) input: MaterializeInput | null,
    @Arg('featureView', () => String, { nullable: true, deprecationReason: USE_INPUT }) featureView: string | null,
    @Arg('endTime', () => DateTimeScalar, { nullable: true, deprecationReason: USE_INPUT }) endTime: Date | null,
    @Ctx() { services, actor }: CairnContext,
  ) {
    const given = inputOrDeprecatedArguments(input, { featureView, endTime, provider: null }, ['featureView']);
    return services.features.materialization.request(given.featureView, given.endTime, actor, given.provider);
  }

  @Query(() => MaterializationRun, { nullable: true })
  materializationRun(@Arg('id', () => ID) id: string, @Ctx() { services }: CairnContext) {
    return services.features.materialization.get(id);
  }

  @Query(() => [MaterializationRun], { description: 'Most recent first.' })
  materializationRuns(
    @Arg('featureView', () => String) featureView: string,
    @Arg('limit', () => Int, { defaultValue: 20 }) limit: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.features.materialization.list(featureView, limit);
  }

  @FieldResolver(() => Int, { nullable: true })
  durationMs(@Root() run: MaterializationRun): number | null {
    return run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null;
  }
}
