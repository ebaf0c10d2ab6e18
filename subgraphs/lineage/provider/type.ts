import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';
import { ProviderKind } from '../../../prisma/generated/enums.ts';
import { DateTimeScalar } from '../../shared/scalars.ts';
import { ProviderStatus } from '../../shared/enums.ts';

registerEnumType(ProviderKind, { name: 'ProviderKind' });

@Directive('@key(fields: "name")')
@ObjectType({
  description: 'A configured provider instance: the built-in backend or one cloud account/project/workspace.',
})
export class Provider {
  @Field(() => String)
  name!: string;

  @Field(() => ProviderKind)
  kind!: ProviderKind;

  @Field(() => DateTimeScalar, { nullable: true })
  lastSyncAt!: Date | null;

  @Field(() => ProviderStatus, { description: 'OK, SYNCING, DEGRADED or UNAVAILABLE' })
  status!: string;

  @Field(() => String, { nullable: true, description: 'The last sync or call error, without credentials.' })
  lastError!: string | null;
}
