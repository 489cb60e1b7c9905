#!/usr/bin/env node
/*
 * check_site.js -- accessibility checks of a built book in ONE headless Chromium.
 *
 *   node check_site.js SITE_DIR PDF_DIR > results.json
 *
 * For every *.html page (except _static/ template fragments) it records:
 *   - axe-core violations (WCAG 2.0-2.2 A/AA and best-practice tags) at 1280x900 in the
 *     theme's light and dark mode;
 *   - reflow at 320 CSS px: the document's scroll width and any element that clips text
 *     or pokes past the viewport outside a designated sideways scroller (1.4.10);
 *   - for chapter pages, the print layout on A4: tables wider than the printable width;
 * and prints each SII page to PDF in PDF_DIR (the test reads the paper size).
 *
 * The browser is Debian's Chromium ($CHROMIUM_PATH or /usr/bin/chromium), driven by
 * puppeteer-core; nothing is downloaded and the site is served on 127.0.0.1 only.
 */
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];
const MIME = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2',
  '.woff': 'font/woff', '.ttf': 'font/ttf', '.csv': 'text/csv', '.txt': 'text/plain' };

function serve(root) {
  return new Promise(resolve => {
    const server = http.createServer((req, res) => {
      const p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let f = path.join(root, p);
      if (!f.startsWith(root)) { res.writeHead(403); return res.end(); }
      try { if (fs.statSync(f).isDirectory()) f = path.join(f, 'index.html'); } catch (e) { /* 404 */ }
      fs.readFile(f, (err, buf) => {
        if (err) { res.writeHead(404); return res.end('not found'); }
        res.writeHead(200, { 'Content-Type': MIME[path.extname(f).toLowerCase()] || 'application/octet-stream' });
        res.end(buf);
      });
    });
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function listPages(root) {
  const out = [];
  (function walk(dir) {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, ent.name);
      const rel = path.relative(root, full).split(path.sep).join('/');
      if (ent.isDirectory()) { if (rel !== '_static' && !ent.name.startsWith('.')) walk(full); }
      else if (ent.name.endsWith('.html')) out.push(rel);
    }
  })(root);
  return out.sort();
}

// In the page: what clips or overflows at a narrow viewport (outside designated scrollers).
function reflowInPage() {
  const vw = document.documentElement.clientWidth;
  const scrollers = '.hi-table-wrap, .pst-scrollable-table-container, .highlight, pre';
  const problems = [];
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  for (const el of document.querySelectorAll('.bd-main *')) {
    if (el.closest(scrollers) || el.closest('.visually-hidden, .sr-only')) continue;
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if (r.right > vw + 1 && !el.closest('[aria-hidden="true"]')) {
      problems.push({ kind: 'past-viewport', el: name(el), right: Math.round(r.right), text: el.textContent.trim().slice(0, 60) });
    }
    const clips = ['hidden', 'clip', 'auto', 'scroll'].includes(cs.overflowX);
    if (clips && el.scrollWidth > el.clientWidth + 1 && el.textContent.trim()) {
      problems.push({ kind: 'clipped', el: name(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth, text: el.textContent.trim().slice(0, 60) });
    }
  }
  return { viewport: vw, scrollWidth: document.documentElement.scrollWidth, problems: problems.slice(0, 20) };
}

// In the page, with print media emulated at the A4 printable width: tables that do not fit.
function printInPage() {
  const pageRules = [];
  for (const sheet of document.styleSheets) {
    let rules = [];
    try { rules = sheet.cssRules; } catch (e) { continue; }
    const walk = list => { for (const r of list) {
      if (r.type === CSSRule.PAGE_RULE) pageRules.push(r.style.getPropertyValue('size'));
      else if (r.cssRules) walk(r.cssRules);
    } };
    walk(rules);
  }
  const vw = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('table')].map(t => {
    const r = t.getBoundingClientRect();
    const cells = [...t.querySelectorAll('thead th')];
    const last = cells.length ? cells[cells.length - 1] : null;
    const lr = last ? last.getBoundingClientRect() : r;
    let hiddenBy = null;
    for (let a = t.parentElement; a; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX !== 'visible' && a.clientWidth + 1 < t.scrollWidth) { hiddenBy = a.className || a.tagName; break; }
    }
    return { caption: (t.caption ? t.caption.textContent : '').trim().slice(0, 80), right: Math.round(r.right),
      lastHeader: last ? last.textContent.trim() : null, lastHeaderRight: Math.round(lr.right), hiddenBy };
  });
  return { pageSizes: pageRules, printableWidth: vw, tables };
}

async function main() {
  const [site, pdfDir] = process.argv.slice(2);
  if (!site || !pdfDir) { console.error('usage: node check_site.js SITE_DIR PDF_DIR'); process.exit(2); }
  const root = path.resolve(site);
  const puppeteer = require('puppeteer-core');
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const server = await serve(root);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--font-render-hinting=none'] });
  const out = { axeVersion: require('axe-core/package.json').version, browser: await browser.version(), pages: [] };
  try {
    for (const rel of listPages(root)) {
      const html = fs.readFileSync(path.join(root, rel), 'utf8');
      const redirect = /<meta[^>]+http-equiv=["']?refresh/i.test(html) && html.length < 4000;
      const rec = { page: rel, redirect, axe: {}, reflow: null, print: null };
      for (const mode of ['light', 'dark']) {
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 900 });
        await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: mode }]);
        await page.evaluateOnNewDocument(m => {
          try { localStorage.setItem('mode', m); localStorage.setItem('theme', m); } catch (e) { /* */ }
        }, mode);
        if (redirect) {
          // Answer the redirect target with 204 so the stub itself stays loaded and is audited.
          const url = base + rel;
          await page.setRequestInterception(true);
          page.on('request', r => {
            if (r.isNavigationRequest() && r.frame() === page.mainFrame() && r.url() !== url) r.respond({ status: 204, body: '' });
            else r.continue();
          });
        }
        await page.goto(base + rel, { waitUntil: 'networkidle0', timeout: 60000 });
        await page.evaluate(m => { if (document.documentElement.dataset.theme !== undefined || m === 'dark') {
          document.documentElement.dataset.theme = m; document.documentElement.dataset.mode = m; } }, mode);
        await new Promise(r => setTimeout(r, 300));
        await page.evaluate(axeSource);
        rec.axe[mode] = await page.evaluate(async tags => {
          // eslint-disable-next-line no-undef
          const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
          return r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({ target: n.target.join(' '), html: n.html.slice(0, 200) })) }));
        }, TAGS);
        rec.darkApplied = mode === 'dark' ? await page.evaluate(() => document.documentElement.dataset.theme) : rec.darkApplied;
        await page.close();
      }
      if (!redirect) {
        const page = await browser.newPage();
        await page.setViewport({ width: 320, height: 640 });
        await page.evaluateOnNewDocument(() => {
          try { localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light'); } catch (e) { /* */ }
        });
        await page.goto(base + rel, { waitUntil: 'networkidle0', timeout: 60000 });
        rec.reflow = await page.evaluate(reflowInPage);
        // accessible names of the chart figures and images, from Chromium's accessibility tree
        rec.figures = [];
        const cdp = await page.createCDPSession();
        const root = (await cdp.send('DOM.getDocument', { depth: 0 })).root.nodeId;
        const ids = async sel => (await cdp.send('DOM.querySelectorAll', { nodeId: root, selector: sel })).nodeIds;
        const ax = async nodeId => (await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false })).nodes[0];
        const figIds = await ids('figure.hi-chart');
        const imgIds = await ids('figure.hi-chart > img');
        const titles = await page.$$eval('figure.hi-chart', figs => figs.map(f => {
          const t = f.querySelector('.hi-chart-title'); return t ? t.textContent.trim() : null; }));
        for (let k = 0; k < figIds.length; k++) {
          const f = await ax(figIds[k]);
          const i = figIds.length === imgIds.length ? await ax(imgIds[k]) : null;
          const details = i && (i.properties || []).find(p => p.name === 'details');
          const idref = details ? details.value.relatedNodes.map(n => n.idref).join(' ') : null;
          const detailsText = idref ? await page.evaluate(id => {
            const el = document.getElementById(id); return el ? el.textContent.trim() : null; }, idref) : null;
          rec.figures.push({ role: f.role && f.role.value, name: f.name && f.name.value, title: titles[k],
            imgName: i && i.name && i.name.value, imgDetails: idref, detailsText });
        }
        await cdp.detach();
        if (rel.startsWith('places/') && !rel.endsWith('index.html')) {
          await page.emulateMediaType('print');
          await page.setViewport({ width: 680, height: 1000 }); // A4 less 15 mm margins at 96 dpi
          rec.print = await page.evaluate(printInPage);
          if (rel.endsWith('/sii.html')) {
            fs.mkdirSync(pdfDir, { recursive: true });
            await page.pdf({ path: path.join(pdfDir, rel.replace(/\//g, '_') + '.pdf'), preferCSSPageSize: true });
          }
        }
        await page.close();
      }
      out.pages.push(rec);
    }
  } finally {
    await browser.close();
    server.close();
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch(e => { console.error(String(e && e.stack || e)); process.exit(1); });
