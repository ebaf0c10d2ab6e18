// The decision of `npm run schema:check` (cli/build/schema-check.ts), kept apart from git and the file system so a
// test can give it two schemas and a CHANGELOG text.
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/** The rule, as `npm run schema:check --help` and the README state it. */
export const CHANGELOG_RULE = `A BREAKING change passes only when CHANGELOG.md lists it: the topmost section of CHANGELOG.md
(from the first line starting with "## ", e.g. "## [Unreleased]" or the newest version, to the next one) has a line
naming the change's path as the inspector reports it (e.g. Deployment.strategy, Query.feature.id, Stage.ARCHIVED),
as a whole name: "Deployment.strategy" does not list Deployment.strategyName, and "Deployment" does not list
Deployment.strategy. A change without a path is named by its type (e.g. SCHEMA_QUERY_TYPE_CHANGED).
DANGEROUS and NON_BREAKING changes are printed and always pass.`;

export interface SchemaChange {
  level: CriticalityLevel;
  /** What the CHANGELOG must name: the inspector's path (`Deployment.strategy`), or the change type without one. */
  name: string;
  message: string;
  reason?: string;
  /** Whether the topmost CHANGELOG section names it (only looked at for breaking changes). */
  listed: boolean;
}

export interface SchemaVerdict {
  changes: SchemaChange[];
  /** The breaking changes that the CHANGELOG does not list: the check fails when there is one. */
  unlisted: SchemaChange[];
  ok: boolean;
  /** The heading of the CHANGELOG section looked at, when there is one. */
  section?: string;
}

/** The topmost `## ` section of a CHANGELOG: its heading and the lines under it, up to the next `## ` heading. */
export function topmostSection(changelog: string): { heading: string; lines: string[] } | undefined {
  const lines = changelog.split(/\r?\n/);
  const start = lines.findIndex((line) => /^##\s/.test(line));
  if (start < 0) return undefined;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^##\s/.test(line));
  return { heading: lines[start]!.trim(), lines: end < 0 ? rest : rest.slice(0, end) };
}

/**
 * Whether a line names `name` as a whole: not preceded by a letter, digit, `_` or `.`, and not followed by a letter,
 * digit or `_`, nor by `.` and one of those (a sentence's full stop is fine, a longer path is not).
 */
export function namesPath(line: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w.])${escaped}(?!\\w|\\.\\w)`).test(line);
}

/** Compares the base schema with the current one and decides, by {@link CHANGELOG_RULE}, whether the change may ship. */
export async function checkSchemaChange(
  baseSdl: string,
  currentSdl: string,
  changelog: string,
): Promise<SchemaVerdict> {
  const section = topmostSection(changelog);
  const found = await diff(buildSchema(baseSdl), buildSchema(currentSdl));
  const changes = found.map((change): SchemaChange => {
    const name = change.path ?? String(change.type);
    const level = change.criticality.level;
    return {
      level,
      name,
      message: change.message,
      ...(change.criticality.reason ? { reason: change.criticality.reason } : {}),
      listed: level === CriticalityLevel.Breaking && !!section?.lines.some((line) => namesPath(line, name)),
    };
  });
  const unlisted = changes.filter((change) => change.level === CriticalityLevel.Breaking && !change.listed);
  return { changes, unlisted, ok: unlisted.length === 0, ...(section ? { section: section.heading } : {}) };
}
