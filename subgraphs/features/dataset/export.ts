import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { TrainingRow } from '../../../adapters/core/feature-store.ts';
import { DatasetFormat } from './type.ts';

export interface ExportColumn {
  name: string;
  dtype: string;
}

/**
 * Writes training rows to a file: CSV streamed page by page (lists as JSON text), or Parquet with
 * typed columns (entity_key, event_time as a timestamp, then one column per feature). Answers the
 * number of rows written.
 */
export async function writeDatasetFile(
  path: string,
  format: DatasetFormat,
  columns: ExportColumn[],
  pages: AsyncIterable<TrainingRow[]>,
): Promise<number> {
  let count = 0;
  if (format === DatasetFormat.CSV) {
    const records = async function* () {
      for await (const page of pages) {
        for (const row of page) {
          count++;
          yield [row.entityKey, row.eventTime.toISOString(), ...columns.map((c) => csvValue(row.values[c.name]))];
        }
      }
    };
    await pipeline(
      Readable.from(records()),
      stringify({ header: true, columns: ['entity_key', 'event_time', ...columns.map((c) => c.name)] }),
      createWriteStream(path),
    );
    return count;
  }
  const entityKeys: string[] = [];
  const eventTimes: Date[] = [];
  const data: unknown[][] = columns.map(() => []);
  for await (const page of pages) {
    for (const row of page) {
      entityKeys.push(row.entityKey);
      eventTimes.push(row.eventTime);
      columns.forEach((c, i) => data[i]!.push(parquetValue(c.dtype, row.values[c.name])));
    }
  }
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'entity_key', data: entityKeys, type: 'STRING' },
      { name: 'event_time', data: eventTimes, type: 'TIMESTAMP' },
      ...columns.map((c, i) => ({ name: c.name, data: data[i]!, type: PARQUET_TYPES[c.dtype] ?? 'JSON' })),
    ] as never,
  });
  await writeFile(path, new Uint8Array(buffer));
  return entityKeys.length;
}

const PARQUET_TYPES: Record<string, string> = {
  INT64: 'INT64',
  FLOAT64: 'DOUBLE',
  STRING: 'STRING',
  BOOL: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  FLOAT32_LIST: 'JSON',
};

function parquetValue(dtype: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (dtype === 'INT64') return BigInt(value as number);
  if (dtype === 'TIMESTAMP') return new Date(value as string);
  return value;
}

function csvValue(value: unknown): unknown {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : value;
}
