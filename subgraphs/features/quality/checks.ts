import { z } from 'zod';

/** Quality checks declared per feature on its view; all optional. */
export const featureChecksSchema = z
  .object({
    min: z.number().finite().nullish(),
    max: z.number().finite().nullish(),
    maxNullRatio: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').nullish(),
    allowedValues: z
      .array(z.union([z.string(), z.number(), z.boolean()]))
      .min(1)
      .max(1000)
      .nullish(),
  })
  .refine((c) => c.min == null || c.max == null || c.min <= c.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

export type FeatureChecks = z.infer<typeof featureChecksSchema>;

export interface CheckResult {
  check: 'min' | 'max' | 'maxNullRatio' | 'allowedValues';
  passed: boolean;
  threshold: unknown;
  observed: unknown;
}

/** Checks with a value declared, in a canonical shape (stored on the feature, hashed into the definition). */
export function declaredChecks(checks: FeatureChecks | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (checks?.min != null) out.min = checks.min;
  if (checks?.max != null) out.max = checks.max;
  if (checks?.maxNullRatio != null) out.maxNullRatio = checks.maxNullRatio;
  if (checks?.allowedValues != null) out.allowedValues = [...checks.allowedValues];
  return out;
}

/**
 * Running statistics of one feature's values over one evaluation (an ingest batch, a
 * materialization), fed batch by batch so a large run never holds its values.
 */
export class FeatureStats {
  count = 0;
  nulls = 0;
  min: number | null = null;
  max: number | null = null;
  private readonly disallowed = new Set<string>();
  private readonly allowed: Set<string> | null;

  constructor(private readonly checks: Record<string, unknown>) {
    this.allowed = Array.isArray(checks.allowedValues)
      ? new Set(checks.allowedValues.map((v) => JSON.stringify(v)))
      : null;
  }

  add(value: unknown): void {
    this.count++;
    if (value === null || value === undefined) {
      this.nulls++;
      return;
    }
    if (typeof value === 'number') {
      if (this.min === null || value < this.min) this.min = value;
      if (this.max === null || value > this.max) this.max = value;
    }
    if (this.allowed && !this.allowed.has(JSON.stringify(value)) && this.disallowed.size < 5)
      this.disallowed.add(JSON.stringify(value));
  }

  /** Results of every declared check; a check with nothing to observe (no values) passes. */
  evaluate(): CheckResult[] {
    const c = this.checks;
    const results: CheckResult[] = [];
    if (typeof c.min === 'number')
      results.push({
        check: 'min',
        threshold: c.min,
        observed: this.min,
        passed: this.min === null || this.min >= c.min,
      });
    if (typeof c.max === 'number')
      results.push({
        check: 'max',
        threshold: c.max,
        observed: this.max,
        passed: this.max === null || this.max <= c.max,
      });
    if (typeof c.maxNullRatio === 'number') {
      const ratio = this.count === 0 ? 0 : this.nulls / this.count;
      results.push({
        check: 'maxNullRatio',
        threshold: c.maxNullRatio,
        observed: Math.round(ratio * 1e6) / 1e6,
        passed: ratio <= c.maxNullRatio,
      });
    }
    if (this.allowed) {
      const seen = [...this.disallowed].map((v) => JSON.parse(v));
      results.push({ check: 'allowedValues', threshold: c.allowedValues, observed: seen, passed: seen.length === 0 });
    }
    return results;
  }
}
