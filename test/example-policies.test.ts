import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compilePolicy, evaluatePolicy, type PolicyContext } from '../subgraphs/models/policy/cel.ts';

const context = (overrides: Partial<PolicyContext>): PolicyContext => ({
  candidate: { model: 'credit-risk', metrics: { auc: 0.86 }, fairnessMetrics: { dp_gap: 0.03 }, gitCommit: 'abc1234' },
  current: { metrics: { auc: 0.85 } },
  features: [{ id: 'f', name: 'f', quality: 'VALIDATED', openIncidents: 0 }],
  approvals: [
    { actor: 'alice', role: null, to: 'PRODUCTION' },
    { actor: 'bob', role: null, to: 'PRODUCTION' },
  ],
  actor: { name: 'ci', roles: [] },
  target: 'PRODUCTION',
  now: new Date(),
  ...overrides,
});

describe('the example policies in docs/', () => {
  it('all compile, pass a good candidate and each stops the candidate it is meant to stop', async () => {
    const { policies } = parse(await readFile(new URL('../docs/policies.example.yaml', import.meta.url), 'utf8')) as {
      policies: { name: string; expression: string }[];
    };
    const byName = Object.fromEntries(policies.map((p) => [p.name, p.expression]));
    for (const p of policies) {
      expect(compilePolicy(p.expression), p.name).not.toHaveProperty('error');
      expect(evaluatePolicy(p.expression, context({})), p.name).toEqual({ outcome: 'PASSED' });
    }
    expect(evaluatePolicy(byName['auc-floor']!, context({ candidate: { metrics: { auc: 0.7 } } })).outcome).toBe(
      'FAILED',
    );
    expect(
      evaluatePolicy(byName['no-worse-than-champion']!, context({ current: { metrics: { auc: 0.9 } } })).outcome,
    ).toBe('FAILED');
    expect(evaluatePolicy(byName['two-approvals-for-production']!, context({ approvals: [] })).outcome).toBe('FAILED');
    expect(
      evaluatePolicy(
        byName['no-open-incidents']!,
        context({ features: [{ id: 'f', name: 'f', quality: 'VALIDATED', openIncidents: 1 }] }),
      ).outcome,
    ).toBe('FAILED');
    expect(evaluatePolicy(byName['git-commit-present']!, context({ candidate: { metrics: {} } })).outcome).toBe(
      'FAILED',
    );
    expect(evaluatePolicy(byName['fairness-gap']!, context({ candidate: { fairnessMetrics: {} } })).outcome).toBe(
      'FAILED',
    );
  });
});
