import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, type TestCairn } from '../testkit.ts';
import { browserAvailable, launchChromium, watchConsole } from './chromium.ts';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const QUERY = '{ endpoints { nodes { name } } }';

let development: TestCairn;
let production: TestCairn;
let browser: Browser;

/** A page that records every address it requests and the console errors it logs. */
async function openPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  return { page, requested, problems: watchConsole(page), close: () => context.close() };
}

type CodeMirrorElement = Element & { CodeMirror: { getValue(): string; setValue(value: string): void } };

/** The query editor's text, set as a person typing it would leave it (CodeMirror keeps its instance on its element). */
async function setQuery(page: Page, query: string) {
  await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
  await page.evaluate((text) => {
    (document.querySelector('.graphiql-query-editor .CodeMirror') as CodeMirrorElement).CodeMirror.setValue(text);
  }, query);
}

/** The result pane's text (its DOM holds only the lines in view, and fold markers between them). */
function resultText(page: Page) {
  return page.evaluate(
    () =>
      (document.querySelector('.graphiql-response .CodeMirror') as CodeMirrorElement | null)?.CodeMirror.getValue() ??
      '',
  );
}

describe.skipIf(!browserAvailable())('the GraphQL explorer in a browser', () => {
  let opened: Awaited<ReturnType<typeof openPage>> | undefined;

  beforeAll(async () => {
    // As `npm start` does: build web/dist when it is missing or older than its sources.
    const build = spawnSync(process.execPath, ['cli/build/build-web.mjs'], { cwd: ROOT, stdio: 'inherit' });
    expect(build.status).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    [development, production] = await Promise.all([
      startTestCairn({ CAIRN_ACTOR: 'dana' }),
      startTestCairn({ NODE_ENV: 'production' }),
    ]);
    await development.db.endpoint.create({
      data: {
        id: 'endpoint:builtin:explorer-check',
        providerName: 'builtin',
        name: 'explorer-check',
        nativeId: 'explorer-check',
        status: 'IN_SERVICE',
        owner: 'dana',
      },
    });
    browser = await launchChromium();
  }, 180_000);

  afterEach(async () => {
    const seen = opened?.problems.splice(0) ?? [];
    await opened?.close();
    opened = undefined;
    expect(seen, 'console errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await development?.close();
    await production?.close();
  });

  it('runs a query and shows its answer, every asset and request from Cairn itself', async () => {
    opened = await openPage();
    const { page, requested } = opened;
    await page.goto(`${development.url}/graphql`); // a browser opening the GraphQL address lands on the explorer
    await page.waitForURL(`${development.url}/explorer`);
    await page.locator('.graphiql-container').waitFor();
    await setQuery(page, QUERY);
    await page.getByRole('button', { name: /execute query/i }).click();
    await expect.poll(() => resultText(page), { timeout: 15_000 }).toContain('"explorer-check"');
    expect(JSON.parse(await resultText(page))).toEqual({ data: await development.data(QUERY) });
    // The schema came by introspection: the Docs pane lists the root types, and Query's fields.
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByRole('link', { name: 'Query', exact: true }).first().click();
    await docs
      .locator('.graphiql-doc-explorer-field-name', { hasText: /^endpoints$/ })
      .first()
      .waitFor();
    await page.screenshot({ path: `${ARTIFACTS}explorer.png` });

    expect(requested.length).toBeGreaterThan(0);
    const offSite = requested.filter((url) => !url.startsWith(`${development.url}/`) && !url.startsWith('data:'));
    expect(offSite, 'requests that left Cairn').toEqual([]);
    expect(requested.some((url) => url.startsWith(`${development.url}/assets/Explorer-`))).toBe(true);
  });

  it('leaves GraphiQL out of the other pages', async () => {
    opened = await openPage();
    const { page, requested } = opened;
    await page.goto(`${development.url}/`);
    await page.getByRole('table', { name: 'Providers' }).waitFor();
    expect(requested.filter((url) => /Explorer-|codemirror/i.test(url))).toEqual([]);
    await page.getByRole('link', { name: 'GraphQL' }).click();
    await page.locator('.graphiql-container').waitFor();
    expect(requested.some((url) => /\/assets\/Explorer-.*\.js$/.test(url))).toBe(true);
  });

  it('says the explorer is off, and how to turn it on, where introspection is off', async () => {
    opened = await openPage();
    const { page, requested, problems } = opened;
    await page.goto(`${production.url}/explorer`);
    const notice = page.getByRole('status').filter({ hasText: 'explorer is off' });
    await notice.waitFor();
    expect(await notice.innerText()).toContain('CAIRN_INTROSPECTION=on');
    expect(await page.locator('.graphiql-container').count()).toBe(0);
    expect(requested.filter((url) => !url.startsWith(`${production.url}/`))).toEqual([]);
    // The page learnt it from one introspection query, refused: the browser logs the failed request.
    expect(requested.filter((url) => url === `${production.url}/graphql`)).toHaveLength(1);
    const refused = 'console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)';
    expect(problems.splice(0)).toEqual([refused]);
  });
});
