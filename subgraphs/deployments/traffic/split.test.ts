import { describe, expect, it } from 'vitest';
import { sameSplit, scaleShares, withLiveShare } from './split.ts';

describe('traffic split arithmetic', () => {
  it('scales shares to a total in integers that sum exactly to it', () => {
    expect(
      scaleShares(
        [
          { deploymentId: 'a', percent: 60 },
          { deploymentId: 'b', percent: 40 },
        ],
        90,
      ),
    ).toEqual([
      { deploymentId: 'a', percent: 54 },
      { deploymentId: 'b', percent: 36 },
    ]);
    const thirds = scaleShares(
      [
        { deploymentId: 'a', percent: 1 },
        { deploymentId: 'b', percent: 1 },
        { deploymentId: 'c', percent: 1 },
      ],
      100,
    );
    expect(thirds.map((s) => s.percent)).toEqual([34, 33, 33]);
    expect(
      scaleShares(
        [
          { deploymentId: 'a', percent: 99 },
          { deploymentId: 'b', percent: 1 },
        ],
        10,
      ),
    ).toEqual([{ deploymentId: 'a', percent: 10 }]);
  });

  it('gives a new deployment its share and the others the rest, in proportion', () => {
    expect(withLiveShare([{ deploymentId: 'blue', percent: 100 }], 'green', 10)).toEqual([
      { deploymentId: 'blue', percent: 90 },
      { deploymentId: 'green', percent: 10 },
    ]);
    expect(
      withLiveShare(
        [
          { deploymentId: 'a', percent: 50 },
          { deploymentId: 'b', percent: 50 },
          { deploymentId: 'c', percent: 0 },
        ],
        'c',
        50,
      ),
    ).toEqual([
      { deploymentId: 'a', percent: 25 },
      { deploymentId: 'b', percent: 25 },
      { deploymentId: 'c', percent: 50 },
    ]);
    expect(
      withLiveShare(
        [
          { deploymentId: 'a', percent: 60 },
          { deploymentId: 'c', percent: 40 },
        ],
        'c',
        100,
      ),
    ).toEqual([{ deploymentId: 'c', percent: 100 }]);
    expect(withLiveShare([], 'c', 10)).toEqual([{ deploymentId: 'c', percent: 100 }]);
  });

  it('compares splits whatever the order and zero shares', () => {
    expect(
      sameSplit(
        {
          live: [
            { deploymentId: 'a', percent: 90 },
            { deploymentId: 'b', percent: 10 },
            { deploymentId: 'c', percent: 0 },
          ],
          shadow: [],
        },
        {
          live: [
            { deploymentId: 'b', percent: 10 },
            { deploymentId: 'a', percent: 90 },
          ],
          shadow: [],
        },
      ),
    ).toBe(true);
    expect(
      sameSplit(
        { live: [{ deploymentId: 'a', percent: 100 }], shadow: [{ deploymentId: 'b', percent: 5 }] },
        { live: [{ deploymentId: 'a', percent: 100 }], shadow: [] },
      ),
    ).toBe(false);
  });
});
