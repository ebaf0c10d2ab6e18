import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { connectionOf } from '../../shared/connection.ts';
import { DateTimeScalar, JSONScalar } from '../../shared/scalars.ts';
import { RunStatus } from '../../shared/enums.ts';

@ObjectType({ description: "One pull of a provider's assets into the catalog (a durable job)." })
export class SyncRun {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The provider instance synced.' })
  providerName!: string;

  @Field(() => RunStatus, { description: 'PENDING, RUNNING, SUCCEEDED or FAILED' })
  status!: string;

  @Field(() => String, {
    description: 'START (at start-up), SCHEDULE (every syncIntervalSeconds) or REQUEST (syncProvider)',
  })
  trigger!: string;

  @Field(() => Boolean, { description: 'Every asset described again, ignoring change tokens.' })
  full!: boolean;

  @Field(() => String, { nullable: true })
  requestedBy!: string | null;

  @Field(() => Int, { description: 'Assets new to the catalog (or back after being removed).' })
  created!: number;

  @Field(() => Int, { description: 'Assets whose catalog record changed.' })
  updated!: number;

  @Field(() => Int, { description: 'Assets gone from the provider: marked removed, their lineage edges ended.' })
  deleted!: number;

  @Field(() => Int, { description: 'Assets seen again with no change (not written).' })
  unchanged!: number;

  @Field(() => Int, { description: 'Listing pages written, each in one transaction.' })
  pages!: number;

  @Field(() => JSONScalar, { description: 'Per asset kind: {listed, created, updated, deleted, unchanged}.' })
  progress!: unknown;

  @Field(() => String, { nullable: true, description: 'Why the run failed (never credentials).' })
  error!: string | null;

  @Field(() => DateTimeScalar)
  createdAt!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt!: Date | null;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'finishedAt - startedAt, in milliseconds.' })
  durationMs(): number | null {
    return this.startedAt && this.finishedAt ? this.finishedAt.getTime() - this.startedAt.getTime() : null;
  }
}

@ObjectType({ description: 'A page of sync runs.' })
export class SyncRunConnection extends connectionOf(SyncRun, 'SyncRun') {}

@InputType()
export class SyncProviderInput {
  @Field(() => String, { description: 'The provider instance to sync.' })
  name!: string;

  @Field(() => Boolean, { nullable: true, description: 'Describe every asset again (default false: only changes).' })
  full?: boolean | null;
}
