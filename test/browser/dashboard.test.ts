import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestCairn, waitFor, type TestCairn } from '../testkit.ts';
import { browserAvailable, launchChromium, watchConsole } from './chromium.ts';
import { seedBrowserEstate, type BrowserEstate } from './estate.ts';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let cairn: TestCairn;
let estate: BrowserEstate;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];

async function screenshot(name: string) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Waits for what the page shows to settle on the expected value (answers arrive asynchronously). */
function poll<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 10_000, interval: 100 });
}

/** A global ID's native part, as the graph labels a deployment (`eta-live/eta_predictor-v1`). */
function native(id: string) {
  return id.split(':').slice(2).join(':');
}

async function visit(path: string) {
  await page.goto(`${cairn.url}${path}`);
}

describe.skipIf(!browserAvailable())('the dashboard in a browser', () => {
  beforeAll(async () => {
    // As `npm start` does: build web/dist when it is missing or older than its sources.
    const build = spawnSync(process.execPath, ['cli/build/build-web.mjs'], { cwd: ROOT, stdio: 'inherit' });
    expect(build.status).toBe(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    cairn = await startTestCairn({ CAIRN_DEMO: 'on', CAIRN_ACTOR: 'dana' });
    // The demo's SageMaker estate is synced by a job at start: the pages are checked once it is in.
    await waitFor(
      async () =>
        (await cairn.query(`{ providers { name lastSyncAt } }`)).data?.providers.some(
          (p: any) => p.name === 'sagemaker-demo' && p.lastSyncAt,
        )
          ? true
          : undefined,
      {
        timeoutMs: 60_000,
        what: 'the demo SageMaker estate to be synced',
      },
    );
    estate = await seedBrowserEstate(cairn);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchConsole(page);
  }, 180_000);

  afterEach(() => {
    const seen = problems.splice(0);
    expect(seen, 'console errors in the page').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await cairn?.close();
  });

  it('shows the overview: assets per provider, sync errors, recent promotions', async () => {
    await visit('/');
    const assets = page.getByRole('table', { name: 'Assets per provider' });
    // builtin, the demo's SageMaker account (synced from the emulator) and the estate's second SageMaker account.
    await poll(() => assets.locator('tbody tr').count()).toBe(3);
    expect(await assets.locator('tr', { hasText: 'sagemaker-demo' }).count()).toBe(1);
    const builtin = await assets.locator('tr', { hasText: 'builtin' }).innerText();
    // 1 model with 2 versions, 23 feature views, 2 endpoints (the demo's and eta-live) with 3 deployments
    expect(builtin.split('\t').map((c) => c.trim())).toEqual(['builtin', '1', '2', '23', '2', '3']);
    const providers = page.getByRole('table', { name: 'Providers' });
    await poll(() => providers.locator('tr', { hasText: 'sagemaker-prod' }).innerText()).toContain(
      'ThrottlingException: Rate exceeded',
    );
    expect(await providers.locator('tr', { hasText: 'sagemaker-demo' }).innerText()).toMatch(
      /sagemaker-demo\s+SAGEMAKER\s+OK/,
    );
    const promotions = page.getByRole('table', { name: 'Recent promotions' });
    await poll(() => promotions.locator('tbody tr').count()).toBe(3);
    expect(await promotions.innerText()).toContain('APPLIED');
    expect(await page.getByRole('region', { name: 'At-risk production deployments' }).innerText()).toContain(
      'No production deployment depends on a feature with an open incident',
    );
    await screenshot('overview');
  });

  it('is usable on a narrow window and from the keyboard', async () => {
    await page.setViewportSize({ width: 400, height: 860 });
    await visit('/');
    await page.getByRole('table', { name: 'Providers' }).waitFor();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot('overview-narrow');
    await page.setViewportSize({ width: 1280, height: 900 });

    await page.locator('body').focus();
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'Models'; i += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.textContent ?? '');
    }
    expect(focused).toBe('Models');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/models$/);
    await page.getByRole('table', { name: 'Model versions' }).waitFor();
  });

  it('finds an asset by name and draws its lineage, with details on click and a depth control', async () => {
    await visit('/lineage');
    await page.getByLabel('Search assets by name (every provider)').fill('eta_pred');
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('list', { name: 'Search results' })
      .getByRole('button', { name: /eta_predictor v1/ })
      .click();
    await page.waitForURL(/\/lineage\?id=modelVersion/);

    const nodes = page.locator('.react-flow__node .asset-name');
    // Upstream its two features, downstream its deployments on eta-live and on the demo's endpoint, and the endpoints.
    const demo = 'eta-predictor-prod/eta_predictor-v1';
    await poll(async () => (await nodes.allInnerTexts()).sort()).toEqual(
      [
        'driver_stats:avg_rating',
        'driver_stats:trips_today',
        'eta-live',
        'eta-predictor-prod',
        'eta_predictor v1',
        native(estate.blue),
        demo,
      ].sort(),
    );
    // Nodes are marked by kind (color), provider and stage.
    const root = page.locator('.asset-node.root');
    expect(await root.getAttribute('class')).toContain('kind-modelVersion');
    expect(await root.innerText()).toMatch(/PRODUCTION[\s\S]*eta_predictor v1[\s\S]*builtin/);

    await page
      .locator('.react-flow__node')
      .filter({ hasText: /^endpoint/i })
      .filter({ hasText: 'eta-live' })
      .click();
    const details = page.getByRole('region', { name: 'Asset details' });
    await poll(() => details.innerText()).toContain(estate.endpoint);
    await screenshot('lineage-model-version');

    // From the keyboard: focus a node, Enter opens its details.
    await page
      .locator('.react-flow__node')
      .filter({ hasText: /^feature/i })
      .filter({ hasText: 'trips_today' })
      .focus();
    await page.keyboard.press('Enter');
    await poll(() => details.innerText()).toContain('feature:builtin:driver_stats/v1/trips_today');

    await page.getByLabel('Depth').selectOption('1');
    // One hop: the two features and the deployment, not the endpoint.
    await poll(async () => (await nodes.allInnerTexts()).sort()).toEqual(
      ['driver_stats:avg_rating', 'driver_stats:trips_today', 'eta_predictor v1', native(estate.blue), demo].sort(),
    );

    // As of a time before any of it was registered: only the asked-for asset, no edges.
    await page.getByLabel('As of (your local time)').fill('2020-01-01T00:00');
    await poll(async () => await nodes.allInnerTexts()).toEqual(['eta_predictor v1']);
    expect(page.url()).toContain('asOf=2020-01-01T00%3A00');
    await page.getByRole('button', { name: 'Now' }).click();
    await poll(() => nodes.count()).toBe(5);

    // A feature view: everything downstream of its features, on both providers (the README's picture).
    await page.getByLabel('Search assets by name (every provider)').fill('driver_stats');
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('list', { name: 'Search results' })
      .getByRole('button', { name: /featureView driver_stats v1/ })
      .click();
    await page.getByLabel('Depth').selectOption('4');
    await poll(async () =>
      (await nodes.allInnerTexts()).filter((name) => ['eta-live', 'eta-sm-endpoint'].includes(name)).sort(),
    ).toEqual(['eta-live', 'eta-sm-endpoint']);
    await page.locator('.react-flow__node').filter({ hasText: 'eta_predictor v1' }).click();
    await poll(() => details.innerText()).toContain(estate.v1);
    await screenshot('lineage-explorer');
  });

  it('runs an impact analysis: production endpoints highlighted, listed with traffic and owner, exported as CSV', async () => {
    await visit('/impact');
    await page.getByLabel('Pick a feature, feature view, dataset or model version').fill('trips');
    await page.getByRole('button', { name: 'Search' }).click();
    await page
      .getByRole('list', { name: 'Search results' })
      .getByRole('button', { name: /driver_stats:trips_today/ })
      .click();

    const table = page.getByRole('table', { name: 'Affected deployments' });
    await poll(() => table.locator('tbody tr').count()).toBe(4);
    const rows = (await table.locator('tbody tr').allInnerTexts()).map((r) => r.split('\t').map((c) => c.trim()));
    expect(rows).toContainEqual([
      'eta-live',
      'builtin',
      'eta_predictor v1',
      'PRODUCTION',
      '90%',
      '–',
      'dana',
      'ride-eta-team',
      'yes',
      '–',
    ]);
    expect(rows).toContainEqual([
      'eta-sm-endpoint',
      'sagemaker-prod',
      'eta-sm v1',
      'PRODUCTION',
      '100%',
      '–',
      'sm-team',
      'sm-team',
      'yes',
      '–',
    ]);
    expect(rows).toContainEqual([
      'eta-predictor-prod',
      'builtin',
      'eta_predictor v1',
      'PRODUCTION',
      '100%',
      '–',
      'dana',
      'ml-platform',
      'yes',
      '–',
    ]);
    // The three production endpoints and their deployments are highlighted in the graph.
    const hot = await page.locator('.asset-node.highlighted').allInnerTexts();
    expect(hot.filter((t) => /^endpoint/i.test(t)).length).toBe(3);
    await screenshot('impact');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(csv[0]).toBe(
      'endpoint,endpoint_id,provider,deployment_id,model,model_version,stage,traffic_percent,shadow_percent,production,at_risk,owner,endpoint_owner',
    );
    expect(csv).toHaveLength(5);
    expect(csv).toContain(
      `eta-live,${estate.endpoint},builtin,${estate.blue},eta_predictor,1,PRODUCTION,90,0,true,false,dana,ride-eta-team`,
    );
  });

  it("compares versions, previews a promotion's policies (dry run), and shows why a promotion is denied", async () => {
    const policy = `mutation($input: ApplyPolicyInput!) { applyPolicy(input: $input) { id } }`;
    for (const input of [
      {
        name: 'rmse-ceiling',
        appliesTo: 'PRODUCTION',
        modelPattern: 'eta_*',
        expression: 'candidate.metrics.rmse < 3.0',
        message: 'RMSE must be under 3.0 in production',
      },
      {
        name: 'mae-ceiling',
        appliesTo: 'PRODUCTION',
        modelPattern: 'eta_*',
        expression: 'candidate.metrics.mae < 3.0',
        message: 'MAE must be under 3.0',
      },
    ])
      expect((await cairn.query(policy, { input })).errors).toBeUndefined();

    await visit(`/models?version=${encodeURIComponent(estate.v2)}`);
    const comparison = page.getByRole('table', { name: 'Metric comparison' });
    await poll(() => comparison.locator('tr', { hasText: 'rmse' }).innerText()).toMatch(/rmse\s+3\.42\s+3\.1\s+-0\.32/);

    const alias = page.getByRole('form', { name: 'Alias', exact: true });
    await alias.getByLabel('Alias (champion, challenger, …)').fill('challenger');
    await alias.getByRole('button', { name: 'Give it to v2' }).click();
    await poll(() =>
      page.getByRole('table', { name: 'Versions of the model' }).locator('tr', { hasText: 'v2' }).innerText(),
    ).toContain('challenger');

    await page.getByLabel('To stage').selectOption('PRODUCTION');
    await page.getByRole('button', { name: 'Preview policies (dry run)' }).click();
    const verdict = page.getByRole('status', { name: 'Promotion verdict' });
    await poll(() => verdict.innerText()).toContain('Dry run: the policies would deny this promotion');
    const evaluations = (
      await verdict.getByRole('table', { name: 'Policy evaluations' }).locator('tbody tr').allInnerTexts()
    ).map((r) => r.split('\t').map((c) => c.trim()));
    expect(evaluations).toContainEqual(['rmse-ceiling v1', 'BLOCK', 'FAILED', 'RMSE must be under 3.0 in production']);
    expect(evaluations).toContainEqual(['mae-ceiling v1', 'BLOCK', 'PASSED', 'MAE must be under 3.0']);
    // A dry run changes nothing.
    expect(
      (await cairn.query<any>(`{ modelVersion(id: "${estate.v2}") { stage promotions { id } } }`)).data!.modelVersion,
    ).toEqual({ stage: 'STAGING', promotions: [{ id: expect.any(String) }] });
    await screenshot('models-dry-run');

    await page.getByRole('button', { name: 'Promote', exact: true }).click();
    await poll(() => verdict.innerText()).toMatch(/^Denied/);
    expect(await verdict.getByRole('list').first().innerText()).toBe(
      'rmse-ceiling: RMSE must be under 3.0 in production',
    );
    const history = page.getByRole('table', { name: 'Promotion history' });
    await poll(() => history.locator('tbody tr').first().innerText()).toMatch(/v2\s+STAGING\s+→\s+PRODUCTION\s+DENIED/);
    await screenshot('models-denied');

    await visit('/');
    await poll(() =>
      page.getByRole('table', { name: 'Recent promotions' }).locator('tbody tr').first().innerText(),
    ).toContain('DENIED');
  });

  it('reports and resolves a feature incident; the overview marks the production deployments at risk meanwhile', async () => {
    await visit('/features');
    const views = page.getByRole('table', { name: 'Feature views' });
    await poll(() => views.locator('tbody tr').count()).toBe(20);
    await page.getByRole('button', { name: 'Next →' }).click();
    // 23 built-in views and the demo SageMaker feature group.
    await poll(() => views.locator('tbody tr').count()).toBe(4);
    await page.getByRole('button', { name: '← Previous' }).click();
    await page.getByRole('button', { name: 'Open driver_stats' }).click();

    const form = page.getByRole('form', { name: 'Report an incident' });
    await form.getByLabel('Feature').selectOption({ label: 'trips_today' });
    await form.getByLabel('Severity').selectOption('HIGH');
    await form.getByLabel('Description').fill('double-counted trips since 06:00');
    await form.getByRole('button', { name: 'Report incident' }).click();
    const incidents = page.getByRole('list', { name: 'Open incidents' });
    await poll(() => incidents.innerText()).toContain('HIGH trips_today: double-counted trips since 06:00');
    await screenshot('features');

    await visit('/');
    const atRisk = page.getByRole('table', { name: 'At-risk production deployments' });
    // Both live deployments of eta-live (v1 at 90%, v2 at 10%), the demo's endpoint and the SageMaker one use trips_today.
    await poll(() => atRisk.locator('tbody tr').count()).toBe(4);
    expect(await atRisk.innerText()).toContain('eta-sm-endpoint');

    await visit('/features?view=driver_stats');
    await page.getByRole('list', { name: 'Open incidents' }).getByRole('button', { name: 'Resolve' }).click();
    await poll(() => page.getByText('No open incident.').count()).toBe(1);
  });

  it("shows an endpoint's split and canary, changes the split (refusing a bad one) and rolls back after confirmation", async () => {
    const split = async () =>
      (
        await cairn.query<any>(
          `{ endpoint(id: "${estate.endpoint}") { trafficSplit { percent shadow deployment { id } } activeRollout { id } } }`,
        )
      ).data!.endpoint;
    await visit('/endpoints');
    const card = page.locator('article[data-endpoint="eta-live"]');
    const live = card.getByRole('img').first();
    await poll(() => live.getAttribute('aria-label')).toBe('Live traffic: eta_predictor v1 90%, eta_predictor v2 10%');
    const rollout = card.getByRole('region', { name: 'Rollout in progress' });
    expect(await rollout.innerText()).toContain('CANARY of eta_predictor v2: 10% live, step 1 of 3');
    expect(
      await rollout.getByRole('list', { name: 'Rollout steps' }).locator('[aria-current="step"]').innerText(),
    ).toBe('10%');
    await screenshot('endpoints');

    // Shares that do not sum to 100: the page says so, the server refuses with BAD_USER_INPUT, nothing changes.
    const editor = card.getByRole('form', { name: 'Traffic split of eta-live' });
    await editor.getByLabel('eta_predictor v1 live %').fill('50');
    await editor.getByLabel('eta_predictor v2 live %').fill('40');
    expect(await editor.innerText()).toContain('total 90% (must be 100)');
    await editor.getByRole('button', { name: 'Save split' }).click();
    await poll(() => editor.getByRole('alert').innerText()).toContain('BAD_USER_INPUT');
    expect((await split()).trafficSplit).toEqual([
      { percent: 90, shadow: false, deployment: { id: estate.blue } },
      { percent: 10, shadow: false, deployment: { id: estate.green } },
    ]);

    await editor.getByLabel('eta_predictor v2 live %').fill('50');
    await editor.getByRole('button', { name: 'Save split' }).click();
    await poll(() => live.getAttribute('aria-label')).toBe('Live traffic: eta_predictor v1 50%, eta_predictor v2 50%');
    expect((await split()).trafficSplit.map((s: { percent: number }) => s.percent)).toEqual([50, 50]);
    await screenshot('endpoints-split');

    // Roll back asks first; Cancel changes nothing, confirming returns all traffic to the stable deployment.
    await card.getByRole('button', { name: 'Roll back…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Roll back eta-live?' });
    expect(await dialog.innerText()).toContain('All live traffic returns to the stable deployment, eta_predictor v1');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await poll(() => dialog.isVisible()).toBe(false);
    expect((await split()).trafficSplit.map((s: { percent: number }) => s.percent)).toEqual([50, 50]);
    await card.getByRole('button', { name: 'Roll back…' }).click();
    await dialog.getByRole('button', { name: 'Roll back now' }).click();
    await poll(() => live.getAttribute('aria-label')).toBe('Live traffic: eta_predictor v1 100%');
    expect((await split()).trafficSplit).toEqual([{ percent: 100, shadow: false, deployment: { id: estate.blue } }]);
    await card.locator('summary', { hasText: 'Traffic history' }).click();
    const reasons = (
      await card.getByRole('table', { name: 'Traffic history of eta-live' }).locator('tbody tr').allInnerTexts()
    ).map((row) => row.split('\t')[1]);
    expect(reasons.slice(0, 2)).toEqual(['ROLLBACK', 'SET_SPLIT']);
  });

  it('shows the GraphQL error code when a query fails', async () => {
    await visit('/models?version=not-a-global-id');
    await poll(() => page.getByRole('alert').first().innerText()).toContain('BAD_USER_INPUT');
  });
});
