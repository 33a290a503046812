// Opens every page of pages.json (made by seed.py) in headless Chromium as a person would:
// runs axe-core's WCAG 2.0/2.1 A and AA rules on it and fails on any violation, checks that it
// can be used by keyboard (every link reachable with Tab) and that it fits a 390 px phone
// without sideways scrolling, and saves screenshots: desktop, phone and print.
//
// axe-core is injected into the page, which the pages' Content-Security-Policy forbids (as it
// should): the browser is told to let the test's own script in.
//
// Usage: node check.mjs OUT_DIR   (CHROMIUM overrides /usr/bin/chromium)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const out = process.argv[2];
const { base, token, pages } = JSON.parse(readFileSync(join(out, "pages.json"), "utf8"));
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
let failures = 0;

async function open(page, spec) {
  const response = await page.goto(base + spec.path, { waitUntil: "load" });
  const expected = spec.status ?? 200;
  if (response.status() !== expected) {
    throw new Error(`${spec.name}: status ${response.status()}, expected ${expected}`);
  }
}

async function axe(page, spec, viewport) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
    TAGS,
  );
  for (const violation of result.violations) {
    failures += 1;
    const where = violation.nodes.map((node) => node.target.join(" ")).slice(0, 5).join(", ");
    console.error(`${spec.name} (${viewport}): ${violation.id} [${violation.impact}] ${violation.help}: ${where}`);
  }
  return result.passes.length;
}

/// Every link and control is reached with Tab, in the order of the document.
async function keyboard(page, spec) {
  const focusable = await page.evaluate(
    // Hidden inputs carry a form's values and are never focused.
    () => document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]").length,
  );
  const reached = new Set();
  for (let step = 0; step < focusable + 2; step += 1) {
    await page.keyboard.press("Tab");
    const id = await page.evaluate(() => {
      const element = document.activeElement;
      return element && element !== document.body ? element.outerHTML.slice(0, 200) : null;
    });
    if (id) reached.add(id);
  }
  if (reached.size < focusable) {
    failures += 1;
    console.error(`${spec.name}: only ${reached.size} of ${focusable} links or controls are reached with Tab`);
  }
}

async function fitsPhone(page, spec) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  if (overflow > 0) {
    failures += 1;
    console.error(`${spec.name}: ${overflow} px wider than a 390 px phone`);
  }
}

for (const spec of pages) {
  const headers = spec.auth ? { Authorization: `Bearer ${token}` } : {};
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 }, extraHTTPHeaders: headers, bypassCSP: true });
  const page = await desktop.newPage();
  await open(page, spec);
  const passed = await axe(page, spec, "desktop");
  await keyboard(page, spec);
  await page.screenshot({ path: join(out, `${spec.name}.png`), fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: join(out, `${spec.name}-print.png`), fullPage: true });
  await desktop.close();
  if (spec.phone) {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      extraHTTPHeaders: headers, bypassCSP: true,
    });
    const small = await phone.newPage();
    await open(small, spec);
    await axe(small, spec, "phone");
    await fitsPhone(small, spec);
    await small.screenshot({ path: join(out, `${spec.name}-phone.png`), fullPage: true });
    await phone.close();
  }
  console.log(`${spec.name}: ${passed} axe rules passed`);
}
await browser.close();
if (failures > 0) {
  console.error(`${failures} accessibility failures`);
  process.exit(1);
}
console.log(`no axe-core violations (${TAGS.join(", ")}) on ${pages.length} pages`);
