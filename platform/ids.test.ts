import { describe, expect, it } from 'vitest';
import { globalId, parseGlobalId } from './ids.ts';

describe('global IDs', () => {
  it('round-trips kind, provider and a native ID that contains colons and slashes', () => {
    const id = globalId('modelVersion', 'sagemaker-prod', 'arn:aws:sagemaker:eu-west-1:1:model-package/eta/3');
    expect(parseGlobalId(id)).toEqual({
      kind: 'modelVersion',
      provider: 'sagemaker-prod',
      nativeId: 'arn:aws:sagemaker:eu-west-1:1:model-package/eta/3',
    });
  });

  it.each(['', 'feature', 'feature:builtin', 'feature:builtin:', 'widget:builtin:x', ':builtin:x', 'feature::x'])(
    'rejects %j with BAD_USER_INPUT',
    (id) => {
      expect(() => parseGlobalId(id, 'input.id')).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', problems: [expect.objectContaining({ path: 'input.id' })] }),
      );
    },
  );

  it('rejects an ID of another kind when one is expected', () => {
    expect(() => parseGlobalId('feature:builtin:a/v1/b', 'id', 'modelVersion')).toThrow(
      'expected a modelVersion ID, got a feature ID',
    );
  });
});
