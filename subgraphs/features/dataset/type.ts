import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeScalar } from '../../shared/scalars.ts';

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A versioned training set with a content hash.' })
export class Dataset {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String)
  contentHash!: string;

  @Field(() => Int)
  rowCount!: number;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
