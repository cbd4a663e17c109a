// Loads one page in headless Chromium (Debian's, driven by puppeteer-core), runs axe-core's
// WCAG 2.1 A/AA rules in it, saves a PNG of what a person sees first, and prints a JSON
// summary on stdout: { title, lang, violations: [{ id, impact, help, targets }], requests }.
// `requests` lists every URL the page fetched besides itself, so a test can require none.
//
// usage: BROWSER_TOOLS=DIR node check-page.mjs URL PNG_PATH
// where DIR holds node_modules with puppeteer-core and axe-core (scripts/servers.sh
// install_browser_tools puts them in .dev/browser-tools).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const [url, png] = process.argv.slice(2);
if (!url || !png) {
  console.error("usage: node check-page.mjs URL PNG_PATH");
  process.exit(2);
}
const require = createRequire(resolve(process.env.BROWSER_TOOLS || ".", "package.json"));
const puppeteer = require("puppeteer-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1024, height: 1400 });
  const requests = [];
  page.on("request", (request) => {
    if (request.url() !== url && !request.url().startsWith("data:")) requests.push(request.url());
  });
  const response = await page.goto(url, { waitUntil: "load", timeout: 60000 });
  await page.screenshot({ path: png });
  // axe is injected after the page loaded, so it does not count as the page's own request.
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  const summary = {
    status: response ? response.status() : null,
    title: await page.title(),
    lang: await page.evaluate(() => document.documentElement.lang),
    passes: results.passes.length,
    violations: results.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    })),
    requests,
  };
  console.log(JSON.stringify(summary));
} finally {
  await browser.close();
}
