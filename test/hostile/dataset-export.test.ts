import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from '../../platform/ids.ts';
import { startTestCairn, type TestCairn } from '../testkit.ts';

/**
 * exportDataset names its file from the dataset: synced cloud datasets are named by URIs
 * (`s3://bucket/a/b`) and a provider can name one anything, so the name must never become a path.
 */

let cairn: TestCairn;
let exportsDir: string;
const EXPORT = `mutation($input: ExportDatasetInput!) { exportDataset(input: $input) { datasetId path rowCount bytes } }`;

/** A dataset row as a sync writes it (a cloud's name, no rows in the built-in store). */
async function syncedDataset(name: string): Promise<string> {
  const id = globalId('dataset', 'builtin', `${name}/1`);
  await cairn.db.dataset.create({
    data: { id, providerName: 'builtin', name, version: 1, contentHash: 'sha256:0', rowCount: 0 },
  });
  return id;
}

beforeAll(async () => {
  cairn = await startTestCairn();
  exportsDir = join(cairn.config.dataDir, 'exports');
});
afterAll(async () => {
  await cairn?.close();
});

describe('exportDataset file names', () => {
  it('exports a dataset named by its S3 URI into <data dir>/exports', async () => {
    const id = await syncedDataset('s3://bucket/a/b');
    for (const format of ['CSV', 'PARQUET']) {
      const answer = await cairn.query(EXPORT, { input: { datasetId: id, format } });
      expect(answer.errors, format).toBeUndefined();
      const { path } = answer.data.exportDataset;
      expect(dirname(path)).toBe(exportsDir);
      expect(existsSync(path)).toBe(true);
    }
    const csv = (await cairn.data(EXPORT, { input: { datasetId: id, format: 'CSV' } })).exportDataset;
    expect((await readFile(csv.path, 'utf8')).trim()).toBe('entity_key,event_time');
  });

  it('keeps datasets whose names slug alike in separate files', async () => {
    const a = await syncedDataset('gs://bucket/x_y');
    const b = await syncedDataset('gs://bucket/x/y');
    const pathA = (await cairn.data(EXPORT, { input: { datasetId: a, format: 'CSV' } })).exportDataset.path;
    const pathB = (await cairn.data(EXPORT, { input: { datasetId: b, format: 'CSV' } })).exportDataset.path;
    expect(pathA).not.toBe(pathB);
  });

  it('writes a crafted name (.., absolute path) only inside <data dir>/exports', async () => {
    const tag = randomBytes(4).toString('hex');
    const crafted = [
      `../../cairn-escape-${tag}`,
      `../${tag}`,
      `/tmp/cairn-escape-${tag}`,
      `..\\..\\cairn-escape-${tag}`,
      `.hidden-${tag}`,
    ];
    for (const name of crafted) {
      const id = await syncedDataset(name);
      const answer = await cairn.query(EXPORT, { input: { datasetId: id, format: 'CSV' } });
      expect(answer.errors, name).toBeUndefined();
      const { path } = answer.data.exportDataset;
      expect(dirname(path), name).toBe(exportsDir);
      expect(path.slice(exportsDir.length + 1).startsWith('.'), name).toBe(false);
      // Where a name-built path would have landed: nothing there.
      for (const escaped of [
        join(exportsDir, `${name}-v1.csv`),
        join(dirname(cairn.config.dataDir), `cairn-escape-${tag}-v1.csv`),
        join(cairn.config.dataDir, `${tag}-v1.csv`),
      ]) {
        expect(existsSync(escaped), escaped).toBe(false);
      }
    }
    expect(existsSync(`/tmp/cairn-escape-${tag}-v1.csv`)).toBe(false);
    // Everything written is a plain file directly in the exports folder.
    const entries = await readdir(exportsDir, { withFileTypes: true });
    expect(entries.every((entry) => entry.isFile())).toBe(true);
  });

  it('answers BAD_USER_INPUT for a dataset ID holding NUL, writing nothing', async () => {
    const before = (await readdir(exportsDir)).length;
    const answer = await cairn.query(EXPORT, { input: { datasetId: 'dataset:builtin:a\u0000b/1', format: 'CSV' } });
    expect(answer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(answer.errors![0]!.extensions!.problems.map((p: { path: string }) => p.path)).toEqual(['input.datasetId']);
    expect((await readdir(exportsDir)).length).toBe(before);
  });
});
