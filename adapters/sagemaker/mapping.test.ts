import { describe, expect, it } from 'vitest';
import {
  dtypeOf,
  fromCustomerMetadata,
  percentsFromWeights,
  sageMakerStageOf,
  shadowPercent,
  stageFromSageMaker,
  ttlSecondsOf,
} from './mapping.ts';

describe('SageMaker mappings', () => {
  it.each([
    ['Approved', 'Production', 'PRODUCTION'],
    ['Approved', undefined, 'PRODUCTION'],
    ['PendingManualApproval', 'Staging', 'STAGING'],
    ['PendingManualApproval', undefined, 'STAGING'],
    ['Rejected', 'Production', 'ARCHIVED'],
    ['Approved', 'Archived', 'ARCHIVED'],
    ['Approved', 'Development', 'NONE'],
    [undefined, undefined, 'NONE'],
  ] as const)('approval %s with life cycle %s is %s', (approval, stage, expected) => {
    expect(stageFromSageMaker(approval, stage)).toBe(expected);
  });

  it('maps each promotion target to SageMaker and back to the same stage', () => {
    for (const stage of ['PRODUCTION', 'STAGING', 'ARCHIVED'] as const) {
      const target = sageMakerStageOf(stage);
      expect(stageFromSageMaker(target.ModelApprovalStatus, target.ModelLifeCycle.Stage)).toBe(stage);
    }
  });

  it.each([
    [
      [9, 1],
      [90, 10],
    ],
    [
      [1, 1, 1],
      [34, 33, 33],
    ],
    [
      [2, 1],
      [67, 33],
    ],
    [
      [0, 0],
      [0, 0],
    ],
    [
      [0.5, 0.25, 0.25],
      [50, 25, 25],
    ],
    [[5], [100]],
  ])('weights %j are integer percents %j summing to 100', (weights, expected) => {
    expect(percentsFromWeights(weights)).toEqual(expected);
  });

  it('mirrors a shadow share relative to the production weights, capped at 100', () => {
    expect(shadowPercent(1, 10)).toBe(10);
    expect(shadowPercent(20, 10)).toBe(100);
    expect(shadowPercent(1, 0)).toBe(0);
  });

  it('splits customer metadata into numeric metrics, params and tags', () => {
    expect(
      fromCustomerMetadata({ 'metric:auc': '0.91', 'metric:note': 'good', 'param:depth': '8', team: 'growth' }),
    ).toEqual({
      metrics: { auc: 0.91 },
      params: { depth: '8' },
      tags: ['metric:note=good', 'team=growth'],
    });
  });

  it('maps feature types and TTLs', () => {
    expect([
      dtypeOf('Integral'),
      dtypeOf('Fractional'),
      dtypeOf('String'),
      dtypeOf('String', 'List'),
      dtypeOf('Fractional', 'Vector'),
    ]).toEqual(['INT64', 'FLOAT64', 'STRING', 'STRING_LIST', 'FLOAT32_LIST']);
    expect(ttlSecondsOf({ Unit: 'Days', Value: 1 })).toBe(86_400);
    expect(ttlSecondsOf(undefined)).toBeNull();
  });
});
