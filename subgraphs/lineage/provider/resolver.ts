import { Ctx, Query, Resolver } from 'type-graphql';
import type { CairnContext } from '../../shared/context.ts';
import { loaderByKey } from '../../shared/loaders.ts';
import { perRequest } from '../../shared/context.ts';
import { Provider } from './type.ts';

const providerLoader = perRequest((context: CairnContext) =>
  loaderByKey(
    (names) => context.services.providers.byNames(names),
    (row) => row.name,
  ),
);

@Resolver(() => Provider)
export class ProviderResolver {
  @Query(() => [Provider], { description: 'Every configured provider instance.' })
  providers(@Ctx() { services }: CairnContext) {
    return services.providers.list();
  }
}

export const providerReferences = {
  Provider: {
    __resolveReference: (ref: { name: string }, context: CairnContext) => providerLoader(context).load(ref.name),
  },
};
