import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../server/config.ts';
import { startTestCairn, type TestCairn } from './testkit.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-policies-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('policy as code', () => {
  it('loads the policy file at start and evaluates its policies', async () => {
    const file = join(dir, 'policies.yaml');
    await writeFile(
      file,
      `policies:
  - name: auc-floor
    appliesTo: PRODUCTION
    expression: candidate.metrics.auc >= 0.8
    message: AUC must be at least 0.8 in production
  - name: commit-present
    appliesTo: PRODUCTION
    expression: has(candidate.gitCommit)
    message: record the git commit
    severity: WARN
`,
    );
    let cairn: TestCairn | undefined;
    try {
      cairn = await startTestCairn({ CAIRN_POLICY_FILE: file });
      const { data } = await cairn.query('{ policies { name version source severity appliesTo } }');
      expect(data.policies).toEqual([
        { name: 'auc-floor', version: 1, source: 'FILE', severity: 'BLOCK', appliesTo: 'PRODUCTION' },
        { name: 'commit-present', version: 1, source: 'FILE', severity: 'WARN', appliesTo: 'PRODUCTION' },
      ]);
      const v = (
        await cairn.query('mutation { registerModelVersion(input: { model: "m", metrics: { auc: 0.5 } }) { id } }')
      ).data.registerModelVersion;
      const verdict = await cairn.query(
        `mutation { promoteModelVersion(input: { modelVersionId: "${v.id}", to: PRODUCTION, dryRun: true }) { allowed violations { policy } warnings { policy } } }`,
      );
      expect(verdict.data.promoteModelVersion).toEqual({
        allowed: false,
        violations: [{ policy: 'auc-floor' }],
        warnings: [{ policy: 'commit-present' }],
      });
    } finally {
      await cairn?.close();
    }
  });

  it('refuses to start on an invalid policy file, listing every problem', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      `policies:\n  - name: a\n    appliesTo: SOMEDAY\n    expression: "1 +"\n    message: m\n  - name: a\n    appliesTo: STAGING\n    expression: "true"\n    message: m\n`,
    );
    const error = await startTestCairn({ CAIRN_POLICY_FILE: file }).catch((e: unknown) => e);
    // A configuration error (the command exits 2), naming the variable and each problem's path.
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.every((p) => p.startsWith(`CAIRN_POLICY_FILE (${file}): `))).toBe(true);
    expect(problems.map((p) => /: (policies\.\d\.\w+):/.exec(p)?.[1]).sort()).toEqual([
      'policies.0.appliesTo',
      'policies.0.expression',
      'policies.1.name',
    ]);
  });
});
