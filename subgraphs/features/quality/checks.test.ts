import { describe, expect, it } from 'vitest';
import { FeatureStats, featureChecksSchema } from './checks.ts';

describe('feature quality checks', () => {
  it('passes when every value is within the declared bounds', () => {
    const stats = new FeatureStats({ min: 0, max: 5, maxNullRatio: 0.5 });
    [1, 2, null, 5].forEach((v) => stats.add(v));
    expect(stats.evaluate().every((r) => r.passed)).toBe(true);
  });

  it('fails min, max, null ratio and allowed values with what it observed', () => {
    const bounds = new FeatureStats({ min: 0, max: 5, maxNullRatio: 0.25 });
    [-1, 7, null, null].forEach((v) => bounds.add(v));
    expect(bounds.evaluate()).toEqual([
      { check: 'min', threshold: 0, observed: -1, passed: false },
      { check: 'max', threshold: 5, observed: 7, passed: false },
      { check: 'maxNullRatio', threshold: 0.25, observed: 0.5, passed: false },
    ]);
    const allowed = new FeatureStats({ allowedValues: ['a', 'b'] });
    ['a', 'c', null].forEach((v) => allowed.add(v));
    expect(allowed.evaluate()).toEqual([
      { check: 'allowedValues', threshold: ['a', 'b'], observed: ['c'], passed: false },
    ]);
  });

  it('rejects min above max', () => {
    expect(featureChecksSchema.safeParse({ min: 3, max: 1 }).success).toBe(false);
  });
});
