import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { IngestFeaturesInput, IngestResult } from './type.ts';

@Resolver(() => IngestResult)
export class IngestResolver {
  @Mutation(() => IngestResult, {
    description: 'Writes rows to the offline history; idempotent on (entity, event time).',
  })
  ingestFeatures(
    @Arg('input', () => IngestFeaturesInput) input: IngestFeaturesInput,
    @Ctx() { services, actor }: CairnContext,
  ) {
    return services.features.ingest.ingest(input, actor);
  }
}
