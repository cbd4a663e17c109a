// Gives feedback like a person in headless Chromium (Debian's, driven by puppeteer-core):
// on a page embedding the widget, or on the gateway's no-JavaScript form. Runs axe-core's
// WCAG 2.1 A/AA rules on what the person sees before and after answering, and prints a
// JSON summary: { lang, before: [violations], after: [violations], confirmation,
// confirmationFocused, focusAfterAnswer, fillMs (from the page loaded to the answer sent, what
// a minimum-fill-time rule would judge), requests }.
//
// In `refused` mode, on the no-JavaScript form, it first sends the comment without an answer
// (as a browser that does not check `required` would), and reports the page that comes back
// ({ error, kept: the comment box's text }), then answers Yes there.
//
// usage: BROWSER_TOOLS=DIR node give-feedback.mjs widget|form|refused URL COMMENT
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

const [mode, url, comment] = process.argv.slice(2);
if (!["widget", "form", "refused"].includes(mode) || !url || !comment) {
  console.error("usage: node give-feedback.mjs widget|form|refused URL COMMENT");
  process.exit(2);
}
const require = createRequire(resolve(process.env.BROWSER_TOOLS || ".", "package.json"));
const puppeteer = require("puppeteer-core");
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

async function violations(page) {
  await page.addScriptTag({ content: axeSource });
  const results = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const requests = [];
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(url, { waitUntil: "networkidle0", timeout: 60000 });
  const loaded = Date.now();
  const lang = await page.evaluate(() => document.documentElement.lang);
  const summary = { lang, requests };
  if (mode === "widget") {
    await page.waitForSelector(".civicpulse button");
    summary.before = await violations(page);
    // "No", by keyboard: Tab to the second button of the widget, then Enter.
    const buttons = await page.$$(".civicpulse [role=group] button");
    await buttons[1].focus();
    await page.keyboard.press("Enter");
    // "No" asks why first: focus is on the reason question (its fieldset, named by its legend).
    summary.focusAfterAnswer = await page.evaluate(() => document.activeElement.tagName);
    summary.focusedName = await page.evaluate(
      () => (document.activeElement.querySelector("legend") || {}).textContent || "");
    await page.click(".civicpulse input[value=hard_to_understand]");
    await page.focus(".civicpulse textarea");
    await page.keyboard.type(comment, { delay: 5 });
    // The page asks for the A-11 satisfaction item: "Agree".
    await page.click(".civicpulse fieldset[data-item=satisfaction] input[value='4']");
    summary.after = await violations(page);
    summary.fillMs = Date.now() - loaded;
    await page.click(".civicpulse button[type=submit]");
    await page.waitForFunction(() => document.querySelector(".civicpulse-status").textContent.length > 0);
    summary.confirmation = await page.$eval(".civicpulse-status", (n) => n.textContent);
    summary.confirmationFocused = await page.evaluate(
      () => document.activeElement === document.querySelector(".civicpulse-status"));
  } else if (mode === "refused") {
    await page.$eval("form", (form) => { form.noValidate = true; });
    await page.type("textarea[name=comment]", comment, { delay: 5 });
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("button[type=submit]")]);
    // The page that comes back: what to fix, what was typed, checked by axe.
    summary.before = await violations(page);
    summary.error = await page.$eval("[role=alert]", (n) => n.textContent.trim());
    summary.kept = await page.$eval("textarea[name=comment]", (n) => n.value);
    await page.click("input[name=helpful][value=yes]");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("button[type=submit]")]);
    summary.after = await violations(page);
    summary.confirmation = await page.$eval("h1", (n) => n.textContent);
    summary.landedOn = new URL(page.url()).pathname;
  } else {
    summary.before = await violations(page);
    // The page's form asks whether the page helped, and why not; an invitation's survey
    // asks about the service only.
    const no = await page.$("input[name=helpful][value=no]");
    if (no) await no.click();
    const reason = await page.$("input[name=reason][value=hard_to_understand]");
    if (reason) await reason.click();
    await page.click("input[name=satisfaction][value='2']");
    await page.type("textarea[name=comment]", comment, { delay: 5 });
    summary.fillMs = Date.now() - loaded;
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("button[type=submit]")]);
    summary.landedOn = new URL(page.url()).pathname;
    summary.after = await violations(page);
    summary.confirmation = await page.$eval("h1", (n) => n.textContent);
  }
  console.log(JSON.stringify(summary));
} finally {
  await browser.close();
}
