import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';
import { readProvidersFile } from './providers-file.ts';

const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'cairn-config-')), 'cairn.config.yaml');
  writeFileSync(path, text);
  return path;
};

describe('cairn.config.yaml', () => {
  it('reads provider instances with their defaults (docs/cairn.config.example.yaml is valid)', () => {
    const { providers, problems } = readProvidersFile(
      new URL('../docs/cairn.config.example.yaml', import.meta.url).pathname,
    );
    expect(problems).toEqual([]);
    expect(providers.map((p) => p.kind)).toEqual(['SAGEMAKER', 'SAGEMAKER', 'VERTEX_AI']);
    const minimal = readProvidersFile(file('providers:\n  - { name: sm, kind: SAGEMAKER, region: eu-west-1 }\n'));
    expect(minimal.providers).toEqual([
      {
        name: 'sm',
        kind: 'SAGEMAKER',
        region: 'eu-west-1',
        credentials: 'default-chain',
        syncIntervalSeconds: 900,
        maxAttempts: 5,
        retryMode: 'standard',
      },
    ]);
  });

  it('lists every problem, refuses secrets without echoing them, and exits through ConfigError', () => {
    const path = file(`providers:
  - name: Prod
    kind: BEDROCK
    region: eu-west-1
    accountId: "12"
    secretAccessKey: wJalrXUtnFEMI
  - name: sm
    kind: SAGEMAKER
    region: eu-west-1
    credentials: { accessKeyId: AKIA123 }
    syncIntervalSeconds: 1
  - name: sm
    kind: SAGEMAKER
    region: eu-west-1
`);
    let error: ConfigError | undefined;
    try {
      parseConfig({ CAIRN_CONFIG: path, PORT: 'x' });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = error!.problems.map((p) => p.replace(`${path}: `, ''));
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT:/),
        expect.stringMatching(/^providers\[0\]\.secretAccessKey: secrets never go in this file/),
        expect.stringMatching(/^providers\[0\]\.name:/),
        expect.stringMatching(/^providers\[0\]\.kind: must be SAGEMAKER, VERTEX_AI or AZURE_ML/),
        expect.stringMatching(/^providers\[1\]\.credentials\.accessKeyId: secrets never go in this file/),
        expect.stringMatching(/^providers\[1\]\.syncIntervalSeconds:/),
      ]),
    );
    expect(error!.message).not.toContain('wJalrXUtnFEMI');
    expect(error!.message).not.toContain('AKIA123');
  });

  it('names the file it cannot read or parse', () => {
    expect(readProvidersFile('/nonexistent/cairn.config.yaml').problems).toEqual([
      'CAIRN_CONFIG: cannot read /nonexistent/cairn.config.yaml (ENOENT)',
    ]);
    expect(readProvidersFile(file('providers: [')).problems[0]).toMatch(/not valid YAML/);
  });
});
