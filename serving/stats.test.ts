import { describe, expect, it } from 'vitest';
import { DeploymentStatsRecorder } from './stats.ts';

describe('DeploymentStatsRecorder', () => {
  it('answers requests, errors and an interpolated p99 per deployment for the window asked', () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const recorder = new DeploymentStatsRecorder({ now: () => now });
    for (let i = 0; i < 990; i++) recorder.record('a', 4, false);
    for (let i = 0; i < 10; i++) recorder.record('a', 400, true);
    now += 5000;
    recorder.record('b', 1, false);
    const stats = recorder.statsSince(['a', 'b', 'c'], new Date(now - 60_000));
    expect(stats.get('a')).toMatchObject({ requests: 1000, errors: 10 });
    // The 990th of 1000 values is 4 ms: p99 lies in the (3, 5] ms bucket.
    expect(stats.get('a')!.latencyP99Ms).toBeGreaterThan(3);
    expect(stats.get('a')!.latencyP99Ms).toBeLessThanOrEqual(5);
    expect(stats.get('b')).toMatchObject({ requests: 1, errors: 0 });
    expect(stats.get('b')!.latencyP99Ms).toBeCloseTo(1, 1);
    expect(stats.get('c')).toEqual({ requests: 0, errors: 0, latencyP99Ms: null });
    expect(recorder.statsSince(['a', 'b'], new Date(now - 1000)).get('a')!.requests).toBe(0);
    // p99 never exceeds the slowest call seen, even in the open-ended bucket.
    recorder.record('slow', 25_000, false);
    expect(recorder.statsSince(['slow'], new Date(now)).get('slow')!.latencyP99Ms).toBeLessThanOrEqual(25_000);
  });

  it('keeps a fixed ring per deployment: an hour-old second is reused, and idle deployments are forgotten', () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const recorder = new DeploymentStatsRecorder({ now: () => now, windowSeconds: 60 });
    const start = now;
    for (let s = 0; s < 600; s++) {
      recorder.record('busy', 2, s % 2 === 0);
      now += 1000;
    }
    const rings = (recorder as unknown as { rings: Map<string, Float64Array> }).rings;
    const size = rings.get('busy')!.length;
    // Ten windows of traffic later, the same memory, and only the last window counted.
    expect(recorder.statsSince(['busy'], new Date(start)).get('busy')).toMatchObject({
      requests: 59,
      errors: expect.any(Number),
    });
    expect(rings.get('busy')!.length).toBe(size);
    recorder.record('other', 1, false);
    now += 120_000;
    recorder.record('other', 1, false);
    expect(rings.has('busy')).toBe(false);
  });
});
