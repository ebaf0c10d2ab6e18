import { Field, Float, Int, ObjectType } from 'type-graphql';

/** When a canary is judged and what fails it: one type for rollouts and deploy rules. */
@ObjectType({ description: 'When a canary step is judged, and the breaches that roll it back.' })
export class CanaryThresholds {
  @Field(() => Int, { description: 'How long each step runs before it is judged.' })
  bakeSeconds!: number;

  @Field(() => Float, { nullable: true, description: 'Errors per request above which the canary fails.' })
  maxErrorRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'p99 latency (ms) above which the canary fails.' })
  maxLatencyP99Ms!: number | null;

  @Field(() => Int, { description: 'Requests the canary must serve before its figures are judged.' })
  minRequests!: number;
}

/** The thresholds of a rollout or deploy rule row (both store them as these four columns). */
export function thresholdsOf(row: CanaryThresholds): CanaryThresholds {
  return {
    bakeSeconds: row.bakeSeconds,
    maxErrorRate: row.maxErrorRate,
    maxLatencyP99Ms: row.maxLatencyP99Ms,
    minRequests: row.minRequests,
  };
}
