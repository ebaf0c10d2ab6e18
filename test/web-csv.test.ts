import { describe, expect, it } from 'vitest';
import { toCsv } from '../web/src/csv.ts';

describe("the dashboard's CSV export", () => {
  it('writes a header and one line per row, quoting cells with commas, quotes and line breaks', () => {
    const rows = [
      { endpoint: 'eta-live', owner: 'ride, eta "core" team', percent: 90, note: 'line1\nline2', live: true },
      { endpoint: 'eta-sm', owner: null, percent: 0, note: '', live: false },
    ];
    const csv = toCsv<(typeof rows)[number]>(
      [
        ['endpoint', (r) => r.endpoint],
        ['owner', (r) => r.owner],
        ['traffic_percent', (r) => r.percent],
        ['note', (r) => r.note],
        ['live', (r) => r.live],
      ],
      rows,
    );
    expect(csv).toBe(
      'endpoint,owner,traffic_percent,note,live\r\neta-live,"ride, eta ""core"" team",90,"line1\nline2",true\r\neta-sm,,0,,false\r\n',
    );
  });
});
