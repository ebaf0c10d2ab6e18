import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { parseGlobalId } from '../../../platform/ids.ts';
import type { CairnContext } from '../../shared/context.ts';
import { JSONScalar } from '../../shared/scalars.ts';
import { Feature } from '../feature/type.ts';
import { featureLoaders } from '../loaders.ts';
import { CreateTrainingDatasetInput, Dataset, DatasetExport, ExportDatasetInput } from './type.ts';

@Resolver(() => Dataset)
export class DatasetResolver {
  @Mutation(() => Dataset, {
    description:
      'Point-in-time join: per (entity, event time) the latest value at or before that time within TTL. Same content -> same version.',
  })
  createTrainingDataset(
    @Arg('input', () => CreateTrainingDatasetInput) input: CreateTrainingDatasetInput,
    @Ctx() { services, actor }: CairnContext,
  ) {
    return services.features.datasets.create(input, actor);
  }

  @Mutation(() => DatasetExport, { description: 'Writes the dataset as CSV or Parquet under the data directory.' })
  exportDataset(
    @Arg('input', () => ExportDatasetInput) input: ExportDatasetInput,
    @Ctx() { services, actor }: CairnContext,
  ) {
    return services.features.datasets.export(input, actor);
  }

  @Query(() => Dataset, { nullable: true })
  dataset(@Arg('id', () => ID) id: string, @Ctx() context: CairnContext) {
    parseGlobalId(id, 'id', 'dataset');
    return featureLoaders(context).dataset.load(id);
  }

  @Query(() => [Dataset], { description: 'Every version of a dataset, oldest first.' })
  datasets(@Arg('name', () => String) name: string, @Ctx() { services }: CairnContext) {
    return services.features.datasets.versions(name);
  }

  @FieldResolver(() => JSONScalar, { description: 'Rows in join order, paged: [{entityKey, eventTime, values}]' })
  rows(
    @Root() dataset: Dataset,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Arg('limit', () => Int, { defaultValue: 100 }) limit: number,
    @Ctx() { services }: CairnContext,
  ) {
    return services.features.datasets.rows(dataset, offset, limit);
  }

  @FieldResolver(() => [Feature], {
    description: 'The exact feature versions the dataset was built from, in column order.',
  })
  features(@Root() dataset: Dataset, @Ctx() context: CairnContext) {
    return featureLoaders(context).featuresOfDataset.load(dataset.id);
  }
}
