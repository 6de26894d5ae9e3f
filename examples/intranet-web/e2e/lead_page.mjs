// End to end: the built page, served by a real rectrackd, in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
// browser is downloaded). A lead enters their name and token, sees their
// overdue and open actions (and not other people's, nor finished ones),
// and sends a progress update on the overdue one.
//
// Environment: PAGE_URL (the page), LEAD, TOKEN, OVERDUE_ID, OPEN_ID,
// HIDDEN_IDS (comma-separated ids that must not show), NOTE (the update to
// send), SCREENSHOT (where to keep the picture), CHROMIUM (default
// /usr/bin/chromium).
import { chromium } from "playwright-core";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const pageUrl = env("PAGE_URL");
const lead = env("LEAD");
const note = env("NOTE");
const overdueId = env("OVERDUE_ID");
const openId = env("OPEN_ID");
const hidden = env("HIDDEN_IDS", "").split(",").filter(Boolean);
const screenshot = env("SCREENSHOT");

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

// Chromium's sandbox needs user namespaces, which a root CI container lacks.
const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
const browser = await chromium.launch({
  executablePath: env("CHROMIUM", "/usr/bin/chromium"),
  headless: true,
  args: [...args, "--disable-gpu"],
});
let failed = false;
const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
const browserErrors = [];
page.on("pageerror", (error) => browserErrors.push(String(error)));
// Script errors fail the test; a refused call shows as "Failed to load
// resource" too, and one is refused on purpose (no token) below.
page.on("console", (message) => {
  if (message.type() === "error" && !message.text().startsWith("Failed to load resource")) {
    browserErrors.push(message.text());
  }
});
const refused = [];
page.on("response", (response) => {
  if (response.status() >= 400) refused.push(`${response.status()} ${response.url()}`);
});
try {
  await page.goto(pageUrl, { waitUntil: "load" });
  check((await page.title()).includes("My actions"), "the page loads");

  // Without a token the tracker refuses, and the page says what to do.
  await page.fill("#lead", lead);
  await page.fill("#token", "");
  await page.click("#show");
  await page.waitForSelector("#status.error");
  check(
    (await page.textContent("#status")).includes("access token"),
    "without a token the page asks for one",
  );

  await page.fill("#token", env("TOKEN"));
  await page.click("#show");
  await page.waitForSelector(`#overdue article[data-action-id="${overdueId}"]`);
  const overdueIds = await page.$$eval("#overdue article", (list) =>
    list.map((a) => a.dataset.actionId),
  );
  const openIds = await page.$$eval("#open article", (list) =>
    list.map((a) => a.dataset.actionId),
  );
  check(
    JSON.stringify(overdueIds) === JSON.stringify([overdueId]),
    `overdue lists only ${overdueId} (got ${overdueIds})`,
  );
  check(
    JSON.stringify(openIds) === JSON.stringify([openId]),
    `open lists only ${openId} (got ${openIds})`,
  );
  for (const id of hidden) {
    check(!overdueIds.includes(id) && !openIds.includes(id), `${id} is not shown`);
  }
  const card = page.locator(`#overdue article[data-action-id="${overdueId}"]`);
  const facts = await card.locator("dl").textContent();
  check(/Overdue by\d+ days/.test(facts), `the overdue card says by how much (${facts})`);
  check(facts.includes("RAGred"), "the overdue action is rated red");

  await card.locator("textarea").fill(note);
  await card.locator("button", { hasText: "Send update" }).click();
  await card.locator(".sent").waitFor();
  check(
    (await card.locator(".sent").textContent()).includes(`Update recorded on ${overdueId}`),
    "the update is acknowledged",
  );
  // Read again: the card now shows the update as the latest.
  await page.click("#show");
  await page.waitForFunction(
    ([id, text]) =>
      document
        .querySelector(`#overdue article[data-action-id="${id}"] dl`)
        ?.textContent?.includes(text),
    [overdueId, note],
  );
  check(true, "reading again shows the update as the latest");
  check(browserErrors.length === 0, `no script errors in the browser (${browserErrors})`);
  check(
    refused.length === 1 && refused[0].startsWith("401 ") && refused[0].endsWith("/ListActions"),
    `the only refused request is the one without a token (${refused})`,
  );
} catch (error) {
  failed = true;
  console.error(String(error));
  if (browserErrors.length) console.error(`browser errors: ${browserErrors}`);
} finally {
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);
  await browser.close();
}
process.exit(failed ? 1 : 0);
