import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('configuration', () => {
  it('runs on the embedded defaults with nothing set', () => {
    expect(parseConfig({})).toMatchObject({
      port: 4000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir: '.cairn',
      demo: true,
      actor: 'local',
      subgraphUrls: {},
    });
  });

  it('treats empty variables as unset', () => {
    expect(parseConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ databaseUrl: undefined, port: 4000 });
  });

  it('lists every problem at once without echoing values', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({
        PORT: 'eighty',
        DATABASE_URL: 'mysql://root:hunter2@db/x',
        CAIRN_DEMO: 'maybe',
        CAIRN_SUBGRAPH_URLS: 'billing=http://x,models=ftp://y',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.split(':')[0])).toEqual([
      'PORT',
      'DATABASE_URL',
      'CAIRN_DEMO',
      'CAIRN_SUBGRAPH_URLS',
      'CAIRN_SUBGRAPH_URLS',
    ]);
    expect(error!.message).not.toContain('hunter2');
  });

  it('parses subgraph URLs', () => {
    expect(
      parseConfig({ CAIRN_SUBGRAPH_URLS: 'models=http://127.0.0.1:4002/graphql, lineage=http://h:1/graphql' })
        .subgraphUrls,
    ).toEqual({
      models: 'http://127.0.0.1:4002/graphql',
      lineage: 'http://h:1/graphql',
    });
  });

  it('parses the inference router settings, with defaults and bounds', () => {
    expect(parseConfig({}).router).toEqual({ timeoutMs: 10_000, maxBodyBytes: 1024 * 1024, shadowConcurrency: 64 });
    expect(
      parseConfig({
        CAIRN_ROUTER_TIMEOUT_MS: '250',
        CAIRN_ROUTER_MAX_BODY_BYTES: '65536',
        CAIRN_ROUTER_SHADOW_CONCURRENCY: '0',
      }).router,
    ).toEqual({
      timeoutMs: 250,
      maxBodyBytes: 65536,
      shadowConcurrency: 0,
    });
    expect(() => parseConfig({ CAIRN_ROUTER_TIMEOUT_MS: '0', CAIRN_ROUTER_MAX_BODY_BYTES: 'lots' })).toThrow(
      /CAIRN_ROUTER_TIMEOUT_MS[\s\S]*CAIRN_ROUTER_MAX_BODY_BYTES/,
    );
  });
});
