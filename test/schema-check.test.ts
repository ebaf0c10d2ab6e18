import { CriticalityLevel } from '@graphql-inspector/core';
import { describe, expect, it } from 'vitest';
import { checkSchemaChange, namesPath, topmostSection } from '../cli/build/schema-contract.ts';

const BASE = `
type Query { deployment(id: ID!): Deployment }
type Deployment { id: ID! strategy: String! traffic: Int! }
enum Stage { STAGING PRODUCTION }
`;
/** Deployment.strategy removed: breaking. */
const REMOVED = `
type Query { deployment(id: ID!): Deployment }
type Deployment { id: ID! traffic: Int! }
enum Stage { STAGING PRODUCTION }
`;
/** An enum value added (dangerous), a field added and one deprecated (safe). */
const GROWN = `
type Query { deployment(id: ID!): Deployment }
type Deployment { id: ID! strategy: String! @deprecated(reason: "use rollout") rollout: String traffic: Int! }
enum Stage { STAGING PRODUCTION ARCHIVED }
`;

const changelog = (unreleased: string) => `# Changelog

## [Unreleased]

${unreleased}

## [0.1.0] - 2025-01-01

### Removed

- \`Deployment.traffic\`: an older break, listed in an older release.
`;

describe('the schema contract check', () => {
  it('fails on a breaking change the CHANGELOG does not list', async () => {
    const verdict = await checkSchemaChange(BASE, REMOVED, changelog('### Added\n\n- Nothing about deployments.'));
    expect(verdict.ok).toBe(false);
    expect(verdict.unlisted.map((change) => [change.level, change.name])).toEqual([
      [CriticalityLevel.Breaking, 'Deployment.strategy'],
    ]);
    expect(verdict.section).toBe('## [Unreleased]');
  });

  it('passes a breaking change the topmost CHANGELOG section names', async () => {
    const verdict = await checkSchemaChange(
      BASE,
      REMOVED,
      changelog('### Removed\n\n- `Deployment.strategy` (deprecated in 0.1.0): use `rollout`.'),
    );
    expect(verdict.ok).toBe(true);
    expect(verdict.changes).toMatchObject([
      { level: CriticalityLevel.Breaking, name: 'Deployment.strategy', listed: true },
    ]);
  });

  it('looks at the topmost section only, and at whole names only', async () => {
    const older = `# Changelog\n\n## [Unreleased]\n\n- \`Deployment.strategyName\` and \`Deployment\` renamed.\n\n## [0.1.0]\n\n- Deployment.strategy removed.\n`;
    const verdict = await checkSchemaChange(BASE, REMOVED, older);
    expect(verdict.ok).toBe(false);
    expect((await checkSchemaChange(BASE, REMOVED, '')).ok).toBe(false);
  });

  it('passes dangerous and safe changes, printing them', async () => {
    const verdict = await checkSchemaChange(BASE, GROWN, '');
    expect(verdict.ok).toBe(true);
    const levels = new Set(verdict.changes.map((change) => change.level));
    expect(levels).toContain(CriticalityLevel.Dangerous);
    expect(levels).toContain(CriticalityLevel.NonBreaking);
    expect(levels).not.toContain(CriticalityLevel.Breaking);
    expect(verdict.changes.map((change) => change.name)).toEqual(
      expect.arrayContaining(['Stage.ARCHIVED', 'Deployment.rollout', 'Deployment.strategy.@deprecated']),
    );
  });

  it('passes an unchanged schema', async () => {
    expect(await checkSchemaChange(BASE, BASE, '')).toEqual({ changes: [], unlisted: [], ok: true });
  });
});

describe('the CHANGELOG rule', () => {
  it('takes the first ## section up to the next', () => {
    expect(topmostSection('# Changelog\n\nintro\n## [Unreleased]\n- a\n### Removed\n- b\n## [1.0.0]\n- c')).toEqual({
      heading: '## [Unreleased]',
      lines: ['- a', '### Removed', '- b'],
    });
    expect(topmostSection('# Changelog\n\nnothing yet')).toBeUndefined();
  });

  it('names a path as a whole word, a full stop after it included', () => {
    expect(namesPath('- `Deployment.strategy` removed', 'Deployment.strategy')).toBe(true);
    expect(namesPath('- Removed Deployment.strategy.', 'Deployment.strategy')).toBe(true);
    expect(namesPath('- Removed Deployment.strategyName', 'Deployment.strategy')).toBe(false);
    expect(namesPath('- Removed Deployment.strategy.kind', 'Deployment.strategy')).toBe(false);
    expect(namesPath('- Removed OldDeployment.strategy', 'Deployment.strategy')).toBe(false);
    expect(namesPath('- Removed Deployment.strategy', 'Deployment')).toBe(false);
  });
});
