// End-to-end tests of the web front end in a real headless browser (Debian's Chromium, driven by
// playwright-core) against the real server with the seed dataset: the figures of the working note
// 002 on the comparison page, sources and unknowns, the date, sign-in with a development token,
// the CSV export, the print layout, GraphiQL with no network access, keyboard use, and an
// accessibility check (axe-core). Screenshots go to SCREENSHOT_DIR.
//
//   node browser.mjs http://127.0.0.1:8080    # DEV_TOKEN: a token for Ishøj (183), viewer
//
// run.sh starts the server and sets the environment; every wait is bounded.
import { readFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

// How the API words its reasons in English (`Figure.reason`): the page words them in Danish from
// the codes (`Figure.reasons`), so none of these may be shown.
const ENGLISH_REASONS = [
  'not given for:',
  'rounded to 2 decimals',
  'hours a week = 1 FTE',
  'no amounts for',
  'without an amount',
  'not shared with you',
  'population of ',
  'is unknown',
  'is zero',
];

const base = process.argv[2];
const devToken = process.env.DEV_TOKEN;
// The test OpenID provider (issuer.mjs) the server trusts; the page may talk to it to sign in.
const issuer = process.env.ISSUER;
const screenshots = process.env.SCREENSHOT_DIR ?? 'screenshots';
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!base || !devToken || !issuer) {
  console.error('usage: DEV_TOKEN=… ISSUER=… node browser.mjs <base URL>');
  process.exit(2);
}
const origin = new URL(base).origin;
const issuerOrigin = new URL(issuer).origin;
await mkdir(screenshots, { recursive: true });
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const browser = await chromium.launch({
  executablePath: chromiumPath,
  timeout: 60_000,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--lang=da-DK',
    // No name resolves but the server's: nothing the pages load may come from elsewhere.
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  ],
});

// ---- a small harness: every check runs, failures are listed at the end ----

const failures = [];

async function check(name, body) {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    locale: 'da-DK',
    acceptDownloads: true,
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems = watch(page);
  const started = Date.now();
  try {
    await body(page, context);
    if (problems.length > 0) throw new Error(`the browser reported:\n  ${problems.join('\n  ')}`);
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).split('\n').slice(0, 6).join('\n     ')}`);
    await page.screenshot({ path: join(screenshots, `failed-${slug(name)}.png`), fullPage: true }).catch(() => {});
  } finally {
    await context.close();
  }
}

/** Page errors, CSP violations and requests to anywhere but the server (and the OpenID
 * provider, for signing in), as they happen. */
function watch(page) {
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (/Content.Security.Policy|Refused to/i.test(text)) problems.push(`CSP: ${text}`);
  });
  page.on('request', (request) => {
    const url = request.url();
    if (/^(data|blob):/.test(url)) return;
    if (![origin, issuerOrigin].includes(new URL(url).origin)) problems.push(`request to another origin: ${url}`);
  });
  return problems;
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9æøå]+/g, '-').replace(/^-|-$/g, '');
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function assertEqual(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

// ---- the page, as a user drives it ----

/** The table cell of a row (by its heading) for a municipality (by its code). */
function cell(page, row, code) {
  return page.locator(`table.comparison tr[data-row="${row}"] td[data-code="${code}"]`);
}

async function values(page, row, code) {
  return cell(page, row, code).locator('.value').allInnerTexts();
}

/** Chooses municipalities with the chooser: cleared, then each found by the search. */
async function choose(page, searches) {
  const search = page.getByLabel('Søg på navn eller kommunekode');
  await search.waitFor();
  const clear = page.getByRole('button', { name: 'Ryd valget' });
  if (await clear.isVisible()) await clear.click();
  for (const [text, name] of searches) {
    await search.fill(text);
    await page.getByRole('checkbox', { name }).check();
  }
  await search.fill('');
}

async function setDate(page, isoDate) {
  await page.getByLabel('Dato', { exact: true }).fill(isoDate);
}

/** Waits until the table shows these municipalities, in this order, and nothing is loading. */
async function waitForTable(page, names) {
  await page.waitForFunction(
    (expected) => {
      const heads = [...document.querySelectorAll('table.comparison thead th[data-code]')];
      const busy = document.querySelector('#sammenligning')?.getAttribute('aria-busy') === 'true';
      return !busy && heads.map((h) => h.firstChild?.textContent?.trim()).join('|') === expected.join('|');
    },
    names,
    { timeout: 15_000 },
  );
}

async function waitForText(locator, text) {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
}

async function open002(page) {
  await page.goto(`${base}/`);
  await choose(page, [
    ['Alb', 'Albertslund (165)'],
    ['791', 'Viborg (791)'],
    ['Høje', 'Høje-Taastrup (169)'],
  ]);
  await setDate(page, '2023-07-01');
  await waitForTable(page, ['Albertslund', 'Viborg', 'Høje-Taastrup']);
}

async function axeCheck(page, label) {
  // Evaluated by the browser's debugger protocol, which the page's CSP does not govern.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations) {
    console.log(`     axe (${label}) ${v.impact}: ${v.id}: ${v.help} (${v.nodes.length}×: ${v.nodes[0]?.target})`);
  }
  assert(serious.length === 0, `${serious.length} serious or critical accessibility violations on ${label}`);
  return result;
}

// ---- the checks ----

await check('the page compares Albertslund, Viborg and Høje-Taastrup with the figures of 002', async (page) => {
  await open002(page);
  assertEqual((await values(page, 'Ansatte', 165)).join(' '), '12', 'Albertslund headcount');
  assertEqual((await values(page, 'Ansatte', 791)).join(' '), '8', 'Viborg headcount');
  // Høje-Taastrup: 9 in 002, 8 in 004; sources that disagree are both shown.
  assertEqual((await values(page, 'Ansatte', 169)).join(' '), '9 8', 'Høje-Taastrup headcount (002, 004)');
  assertEqual((await values(page, 'Ansatte pr. 10.000 indbyggere', 165)).join(' '), '4,36', 'Albertslund per 10 000');
  assertEqual((await values(page, 'Ansatte pr. 10.000 indbyggere', 791)).join(' '), '0,80', 'Viborg per 10 000');
  assertEqual((await values(page, 'Budget pr. indbygger', 169)).join(' '), '105,60 kr.', 'Høje-Taastrup budget per inhabitant');
  await waitForText(cell(page, 'Placering (fra toppen af organisationen)', 165), 'Direktionen › Den Kriminalpræventive Enhed');
  await waitForText(cell(page, 'Organiseringstype (002)', 165), 'Faglig organisering');
  await waitForText(cell(page, 'Politisk udvalg', 169), 'Institutions- og Skoleudvalget');
  // Høje-Taastrup's strategy, noted by the committee; Albertslund names no plan (and says so).
  await waitForText(cell(page, 'Kriminalpræventiv plan', 169), 'taget til efterretning af Institutions- og Skoleudvalget 31. oktober 2023');
  await waitForText(cell(page, 'Kriminalpræventiv plan', 169), '3 mål');
  await waitForText(cell(page, 'Kriminalpræventiv plan', 165), 'Ukendt: kilderne nævner ingen gældende plan');
  // An unknown shows its reason, never a blank, in Danish (worded from the API's reason codes).
  await waitForText(cell(page, 'Årsværk', 165), 'Ukendt: ugentlige timer ikke oplyst for');
  await waitForText(cell(page, 'Budget pr. indbygger', 165), 'Ukendt:');
  const shown = await page.locator('body').innerText();
  for (const english of ENGLISH_REASONS) {
    assert(!shown.includes(english), `the page shows an English reason ("${english}")`);
  }
  // Danish from top to bottom: no part of the page is marked as another language.
  const otherLanguages = await page.locator('main [lang]:not([lang="da"])').count();
  assertEqual(otherLanguages, 0, 'parts of the page in another language');
  // The organisation charts highlight where the work sits; the charts have tables beside them.
  const highlighted = await page.locator('.org-chart .crime-prevention').allInnerTexts();
  assert(highlighted.some((t) => t.includes('Den Kriminalpræventive Enhed')), `highlighted units: ${highlighted}`);
  const chartTable = page.locator('figure.chart', { hasText: 'Ansatte pr. 10.000 indbyggere' }).locator('table');
  await waitForText(chartTable.locator('tr'), 'Albertslund (002)');
  assert((await chartTable.innerText()).includes('4,36'), 'the chart table has the figure');
  await page.screenshot({ path: join(screenshots, 'comparison-002.png'), fullPage: true });
});

await check('a figure shows its source document, date and section', async (page) => {
  await open002(page);
  const toggle = cell(page, 'Ansatte', 165).getByRole('button', { name: /Kilde 002/ });
  await toggle.click();
  assertEqual(await toggle.getAttribute('aria-expanded'), 'true', 'aria-expanded');
  const note = page.locator(`[id="${await toggle.getAttribute('aria-controls')}"]`);
  await note.waitFor({ state: 'visible' });
  const text = await note.innerText();
  for (const part of ['Kilde: 002', 'Arbejdsnotat', '27. marts 2023', 'Afsnit:']) {
    assert(text.includes(part), `the source note lacks ${JSON.stringify(part)}: ${text}`);
  }
  await page.screenshot({ path: join(screenshots, 'source-of-a-figure.png') });
  await page.keyboard.press('Escape');
  assertEqual(await toggle.getAttribute('aria-expanded'), 'false', 'closed by Escape');

  // On hover too, and Escape hides it without moving the pointer (WCAG 1.4.13).
  const other = cell(page, 'Ansatte pr. 10.000 indbyggere', 791).getByRole('button', { name: /Kilde 002/ });
  const otherNote = page.locator(`[id="${await other.getAttribute('aria-controls')}"]`);
  await other.hover();
  await otherNote.waitFor({ state: 'visible' });
  assert((await otherNote.innerText()).includes('Beregning: afrundet til 2 decimaler'), 'the note says how the figure was computed');
  await page.keyboard.press('Escape');
  await otherNote.waitFor({ state: 'hidden' });
});

await check("the date shows how Ishøj's and Høje-Taastrup's models changed", async (page) => {
  await page.goto(`${base}/`);
  await choose(page, [
    ['Ishøj', 'Ishøj (183)'],
    ['169', 'Høje-Taastrup (169)'],
  ]);
  await setDate(page, '2014-06-01');
  await waitForTable(page, ['Ishøj', 'Høje-Taastrup']);
  const ishoej = cell(page, 'Placering (fra toppen af organisationen)', 183);
  const hoeje = cell(page, 'Placering (fra toppen af organisationen)', 169);
  await waitForText(ishoej, 'Direktionen › Stabsenheden for Tryghed og Kriminalitetsforebyggelse');
  await waitForText(hoeje, 'SSP og Gadeplan');
  await page.screenshot({ path: join(screenshots, 'ishoej-2014.png'), fullPage: true });

  // The year slider, by keyboard: 2014 → 2019 (before Høje-Taastrup's rename) → 2020 → 2023.
  const slider = page.getByLabel('År (1. juli)');
  await slider.focus();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('input[type=date]')?.value === '2019-07-01');
  await waitForTable(page, ['Ishøj', 'Høje-Taastrup']);
  await waitForText(hoeje, 'SSP og Gadeplan');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('input[type=date]')?.value === '2020-07-01');
  await waitForText(hoeje, 'Unge- og Uddannelsescentret › Kriminalpræventivt Team');
  assert(!(await hoeje.innerText()).includes('SSP og Gadeplan'), 'Høje-Taastrup 2020 is after the rename');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => document.querySelector('input[type=date]')?.value === '2023-07-01');
  await waitForText(ishoej, 'CBF › Tryghed og Kriminalitetsforebyggelse');
  assert(!(await ishoej.innerText()).includes('Stabsenheden'), 'Ishøj 2023 has no staff unit under the executive board');
  await page.screenshot({ path: join(screenshots, 'ishoej-2023.png'), fullPage: true });
});

await check('signing in with a development token shows a private record anonymous visitors do not see', async (page) => {
  await page.goto(`${base}/?kommuner=183&dato=2023-07-01`);
  await waitForTable(page, ['Ishøj']);
  const contacts = cell(page, 'Kontaktpersoner', 183);
  await waitForText(contacts, 'Ingen delt med dig');
  assert(!(await page.content()).includes('Anne-Mette Palm'), 'an anonymous visitor sees a private contact');

  await page.getByText('Log ind med en udviklingsnøgle').click();
  await page.getByLabel('Udviklingsnøgle').fill(devToken);
  await page.getByRole('button', { name: 'Brug nøglen' }).click();
  await waitForText(page.locator('.sign-in'), 'Logget ind som dev-user, kommune 183 (viewer)');
  await waitForText(contacts, 'Anne-Mette Palm');
  await waitForText(contacts, 'Privat');
  await page.screenshot({ path: join(screenshots, 'signed-in.png'), fullPage: true });

  // The token is the tab's: GraphiQL in the same tab starts with it in its headers editor.
  const stored = await page.evaluate(() => Object.keys(sessionStorage));
  assert(stored.includes('vestegn.accessToken'), `sessionStorage: ${stored}`);
  assertEqual(await page.evaluate(() => localStorage.length), 0, 'nothing in localStorage');

  await page.getByRole('button', { name: 'Log ud' }).click();
  await waitForText(contacts, 'Ingen delt med dig');
  assert(!(await contacts.innerText()).includes('Anne-Mette Palm'), 'signed out, the contact is gone');
});

await check('signing in through the OpenID provider (authorization code with PKCE) shows the private record', async (page) => {
  await page.goto(`${base}/?kommuner=183&dato=2023-07-01`);
  await waitForTable(page, ['Ishøj']);
  const contacts = cell(page, 'Kontaktpersoner', 183);
  await waitForText(contacts, 'Ingen delt med dig');
  // To the provider and back: it signs the test user in at once and redirects with a code,
  // which the page exchanges with its PKCE verifier.
  await page.getByRole('button', { name: 'Log ind', exact: true }).click();
  await waitForText(page.locator('.sign-in'), 'Logget ind som pkce-user, kommune 183 (viewer)');
  await waitForText(contacts, 'Anne-Mette Palm');
  const url = new URL(page.url());
  assert(!url.searchParams.has('code') && !url.searchParams.has('state'), `the code stays in the address: ${url}`);
  assertEqual(url.searchParams.get('kommuner'), '183', 'the selection is back after the sign-in');
  await page.screenshot({ path: join(screenshots, 'signed-in-with-pkce.png') });

  // A code this tab did not ask for is refused, and nobody is signed in by it.
  await page.getByRole('button', { name: 'Log ud' }).click();
  await page.goto(`${base}/?code=forged&state=forged`);
  await waitForText(page.getByRole('alert'), 'hører ikke til en log-ind fra denne fane');
  assert(!new URL(page.url()).searchParams.has('code'), 'the forged code is taken out of the address');
  await waitForText(page.locator('.sign-in'), 'Du ser offentlige oplysninger');
});

await check('the table exports as CSV', async (page) => {
  await open002(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Hent som CSV' }).click(),
  ]);
  assertEqual(download.suggestedFilename(), 'ssp-sammenligning-2023-07-01.csv', 'file name');
  const path = join(screenshots, 'ssp-sammenligning-2023-07-01.csv');
  await download.saveAs(path);
  const csv = await readFile(path, 'utf8');
  assert(csv.startsWith('\uFEFFkommunekode,kommune,dato,maaling,niveau,vaerdi,min,max,enhed,kilde,kildedato,bemaerkning\r\n'), `header: ${csv.slice(0, 120)}`);
  const lines = csv.slice(1).split('\r\n');
  for (const expected of [
    '165,Albertslund,2023-07-01,Ansatte,,12,12,12,personer,002,2023-03-27,',
    '791,Viborg,2023-07-01,Ansatte,,8,8,8,personer,002,2023-03-27,',
    '169,Høje-Taastrup,2023-07-01,Ansatte,,9,9,9,personer,002,2023-03-27,',
    '169,Høje-Taastrup,2023-07-01,Ansatte,,8,8,8,personer,004,2023-10-31,',
    '165,Albertslund,2023-07-01,Ansatte pr. 10.000 indbyggere,,4.36,4.36,4.36,personer,002,2023-03-27,',
    '791,Viborg,2023-07-01,Ansatte pr. 10.000 indbyggere,,0.80,0.80,0.80,personer,002,2023-03-27,',
    '169,Høje-Taastrup,2023-07-01,Budget 2023 pr. indbygger,,105.60,105.60,105.60,DKK,002 004,2023-03-27 2023-10-31,',
  ]) {
    assert(lines.includes(expected), `the CSV lacks the line\n       ${expected}`);
  }
  const unknown = lines.find((l) => l.startsWith('165,Albertslund,2023-07-01,Årsværk,,'));
  assert(unknown?.includes('Ukendt: ugentlige timer ikke oplyst for'), `an unknown keeps its reason: ${unknown}`);
});

await check('the print layout fits a committee paper', async (page) => {
  await open002(page);
  await page.emulateMedia({ media: 'print' });
  assert(!(await page.locator('.controls').isVisible()), 'the controls do not print');
  assert(await page.locator('table.comparison').isVisible(), 'the table prints');
  assert(await page.locator('section.sources').isVisible(), 'the list of sources prints');
  await page.screenshot({ path: join(screenshots, 'print-layout.png'), fullPage: true });
  await page.pdf({ path: join(screenshots, 'print-layout.pdf'), landscape: true, format: 'A4', printBackground: true });
});

await check('everything is reachable and operable by keyboard', async (page) => {
  // A fresh load: the first Tab starts from the top of the page.
  await page.goto(`${base}/?kommuner=165,791,169&dato=2023-07-01`);
  await waitForTable(page, ['Albertslund', 'Viborg', 'Høje-Taastrup']);
  await page.keyboard.press('Tab');
  assertEqual(await page.evaluate(() => document.activeElement?.textContent), 'Gå til sammenligningen', 'first stop: the skip link');
  const reached = new Set();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const what = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}${el.getAttribute('type') ? `[${el.getAttribute('type')}]` : ''}.${el.className}` : '';
    });
    reached.add(what.split(' ')[0]);
    if (what.includes('source-toggle')) break;
  }
  for (const kind of ['input[search]', 'input[checkbox]', 'input[date]', 'input[range]', 'div.table-scroll', 'button[button].source-toggle']) {
    assert([...reached].some((r) => r.startsWith(kind)), `Tab never reached ${kind}: ${[...reached].join(', ')}`);
  }
  // A source note opens with Enter and closes with Escape; focus stays visible.
  await page.keyboard.press('Enter');
  assertEqual(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded')), 'true', 'opened by Enter');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert(outline !== 'none', 'focus is visible');
  await page.keyboard.press('Escape');
  assertEqual(await page.evaluate(() => document.activeElement?.getAttribute('aria-expanded')), 'false', 'closed by Escape');
});

await check('axe-core finds no serious accessibility violations', async (page) => {
  await open002(page);
  await axeCheck(page, 'the comparison of 002');
  await cell(page, 'Ansatte', 165).getByRole('button', { name: /Kilde 002/ }).click();
  await page.getByText('Log ind med en udviklingsnøgle').click();
  await axeCheck(page, 'with a source note and the sign-in open');
  await page.getByLabel('Udviklingsnøgle').fill(devToken);
  await page.getByRole('button', { name: 'Brug nøglen' }).click();
  await page.goto(`${base}/?kommuner=183,169&dato=2014-06-01`);
  await waitForTable(page, ['Ishøj', 'Høje-Taastrup']);
  await axeCheck(page, 'Ishøj and Høje-Taastrup in 2014, signed in');
});

await check('the scripts and styles arrive compressed at build time (brotli), the answers on the fly', async (page) => {
  const assets = [];
  const answers = [];
  page.on('response', (response) => {
    const { pathname } = new URL(response.url());
    if (pathname.startsWith('/assets/') && /\.(js|css)$/.test(pathname)) assets.push(response);
    if (pathname === '/graphql' && response.status() === 200) answers.push(response);
  });
  await open002(page);
  assert(assets.length >= 2, `the page loaded ${assets.length} scripts and styles`);
  for (const response of assets) {
    const headers = await response.allHeaders();
    // Chromium sends `Accept-Encoding: gzip, deflate, br, zstd`: the build's .br sibling.
    assertEqual(headers['content-encoding'], 'br', `${response.url()} content-encoding`);
    assertEqual(headers['vary'], 'accept-encoding', `${response.url()} vary`);
  }
  const compressed = await Promise.all(answers.map(async (r) => (await r.allHeaders())['content-encoding']));
  assert(compressed.includes('br'), `no comparison answer came compressed: ${compressed}`);
  // The page asks by GET for its registered documents, by id, and gets entity tags to revalidate.
  for (const response of answers) {
    const url = new URL(response.url());
    assertEqual(response.request().method(), 'GET', `${url} method`);
    assert(/^sha256:[0-9a-f]{64}$/.test(url.searchParams.get('documentId') ?? ''), `${url} has no documentId`);
    assert((await response.allHeaders())['etag'], `${url} has no ETag`);
  }
});

await check('GraphiQL renders its docs with no network access and takes an Authorization header', async (page, context) => {
  // Only the server answers; everything else is cut off (the host resolver maps it nowhere, too).
  await context.route('**/*', (route) =>
    new URL(route.request().url()).origin === origin ? route.continue() : route.abort('internetdisconnected'),
  );
  // Signed in on the comparison page in this tab: GraphiQL starts with the token in its headers.
  await context.addInitScript((token) => sessionStorage.setItem('vestegn.accessToken', token), devToken);
  await page.goto(`${base}/graphql`);
  await page.locator('.graphiql-container').waitFor();
  await page.getByRole('button', { name: /Show Documentation Explorer/i }).click();
  const docs = page.locator('.graphiql-doc-explorer');
  await waitForText(docs, 'Query');
  await docs.getByText('Query', { exact: true }).first().click();
  await waitForText(docs, 'compareMunicipalities');
  await waitForText(docs, 'signIn');
  // The headers editor is there to set `Authorization`.
  await page.getByRole('button', { name: 'Headers' }).click();
  const headers = page.locator('.graphiql-editor-tool .graphiql-editor').last();
  await waitForText(headers, 'Authorization');
  assert((await headers.innerText()).includes('Bearer'), 'the headers editor has the bearer token');
  // The query runs against the server from the bundled page.
  await page.getByRole('button', { name: /Execute query/i }).click();
  await waitForText(page.locator('.graphiql-response'), 'Albertslund');
  await page.screenshot({ path: join(screenshots, 'graphiql-docs-offline.png') });
});

await browser.close();
if (failures.length > 0) {
  console.log(`\n${failures.length} browser check(s) failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('\nall browser checks passed');
