// End to end: the built page, served by a real rectrackd, in headless
// Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
// browser is downloaded). A lead enters their name and token, sees the
// updates asked of them and their overdue and open actions (not other
// people's, nor finished ones), with references as printed, and answers
// through the update cycle.
//
// MODE=approval (the server holds answers for approval): the lead answers
// two updates (a new target needs its reason); a scrutiny user approves
// one and returns the other with a comment, with the real CLI; the page
// shows them approved and returned (with the comment); answering for an
// action someone else leads is refused in plain words.
// MODE=straight (rectrackd --updates-need-approval false): the page says
// answers go straight in, and an answer shows as in the record at once.
//
// Environment: MODE, PAGE_URL, LEAD, TOKEN, OVERDUE_ID, OPEN_ID,
// HIDDEN_IDS (comma-separated ids that must not show), OTHER_LEAD and
// OTHER_ID (someone else's action), REFERENCE (as the cards must print
// it), NOTE, RECTRACK, SERVER, ADMIN_TOKEN (for the scrutiny user's CLI
// calls), RETURN_COMMENT, SCREENSHOT (where to keep the picture),
// CHROMIUM (default /usr/bin/chromium).
import { execFileSync } from "node:child_process";
import { chromium } from "playwright-core";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name}`);
  return value;
};
const mode = env("MODE");
const lead = env("LEAD");
const note = env("NOTE");
const overdueId = env("OVERDUE_ID");
const openId = env("OPEN_ID");
const hidden = env("HIDDEN_IDS", "").split(",").filter(Boolean);
const reference = env("REFERENCE");
const screenshot = env("SCREENSHOT");

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  console.log(`ok: ${what}`);
}

// A scrutiny user's call with the real CLI.
function scrutiny(...args) {
  return execFileSync(
    env("RECTRACK"),
    ["--server", env("SERVER"), "--token", env("ADMIN_TOKEN"), ...args],
    { encoding: "utf8" },
  );
}

const ids = (page, list) =>
  page.$$eval(`#${list} article`, (found) => found.map((a) => a.dataset.actionId));
const updateCard = (page, id) => page.locator(`#updates article[data-action-id="${id}"]`);
async function stateOf(page, id) {
  return updateCard(page, id).getAttribute("data-state");
}
async function showAgain(page) {
  await page.click("#show");
  await page.waitForSelector("#status:not(.error)");
  await page.waitForFunction(() => !document.querySelector("#status")?.textContent?.startsWith("Reading"));
}

// Answers the update on `id` through its form, labelled controls only.
async function answer(page, id, { text, status, target, reason }) {
  const card = updateCard(page, id);
  await card.getByLabel("What has been done since the last update?").fill(text);
  if (status) await card.getByLabel("Propose a new status (optional)").selectOption({ label: status });
  if (target) await card.getByLabel("Propose a new target (optional)").fill(target);
  if (reason) await card.getByLabel("Why the target should change").fill(reason);
  await card.locator("button[type=submit]").click();
}

async function listsAndReferences(page) {
  await page.fill("#token", env("TOKEN"));
  await page.click("#show");
  await page.waitForSelector(`#updates article[data-action-id="${overdueId}"]`);
  const asked = await ids(page, "updates");
  check(
    JSON.stringify(asked) === JSON.stringify([overdueId, openId]),
    `updates asked of the lead: ${overdueId} and ${openId} (got ${asked})`,
  );
  check(
    JSON.stringify(await ids(page, "overdue")) === JSON.stringify([overdueId]),
    `overdue actions: only ${overdueId}`,
  );
  check(JSON.stringify(await ids(page, "open")) === JSON.stringify([openId]), `open: only ${openId}`);
  const shown = [...asked, ...(await ids(page, "overdue")), ...(await ids(page, "open"))];
  for (const id of hidden) check(!shown.includes(id), `${id} is not shown`);
  const first = updateCard(page, overdueId);
  const facts = await first.locator("dl").textContent();
  check(/Meeting\d+ \w+ \d{4}/.test(facts), `the update names its meeting (${facts})`);
  check(/Due.*\(overdue\)/.test(facts), "the update says it is overdue");
  check((await stateOf(page, overdueId)) === "asked", "the update is asked");
  check(facts.includes("asked, waiting for your answer"), "the update says it waits for the lead");
  const text = await page.locator("main").textContent();
  check(text.includes(reference), `cards print the reference "${reference}"`);
  check(!/\b(rec|review)-\d+/.test(text), "no recommendation or review ids are shown");
  const card = page.locator(`#overdue article[data-action-id="${overdueId}"] dl`);
  check(/Overdue by\d+ days/.test(await card.textContent()), "the overdue action says by how much");
}

async function withApproval(page) {
  check(
    (await page.textContent("#approval")).includes("approve them before they enter the record"),
    "the page says answers wait for approval",
  );
  await answer(page, overdueId, { text: note, status: "in progress" });
  await updateCard(page, overdueId).locator(".result.sent").waitFor();
  check((await stateOf(page, overdueId)) === "submitted", "the answer shows as submitted");
  check(
    await page.evaluate(() => document.activeElement?.classList.contains("result")),
    "the focus moves to the answer's result",
  );
  check(
    (await updateCard(page, overdueId).locator(".answer").textContent()).includes(note),
    "the submitted answer is shown",
  );

  // A new target without its reason is stopped in the browser.
  const second = updateCard(page, openId);
  await answer(page, openId, { text: "Options drafted", target: "March 2100" });
  check(
    await second.getByLabel("Why the target should change").evaluate((e) => !e.checkValidity()),
    "a new target without a reason is not sent",
  );
  await answer(page, openId, { text: "Options drafted", target: "March 2100", reason: "Waiting for the budget" });
  await updateCard(page, openId).locator(".result.sent").waitFor();
  check((await stateOf(page, openId)) === "submitted", "the second answer shows as submitted");
  check(
    (await second.locator("dl").textContent()).includes("Proposed targetMarch 2100 (Waiting for the budget)"),
    "the submitted answer shows the proposed target and its reason",
  );

  // The scrutiny team approves one and returns the other (the real CLI).
  scrutiny("updates", "approve", overdueId);
  scrutiny("updates", "return", openId, "--comment", env("RETURN_COMMENT"));
  await showAgain(page);
  check((await stateOf(page, overdueId)) === "approved", "the approved answer shows as approved");
  check((await stateOf(page, openId)) === "returned", "the returned answer shows as returned");
  check(
    (await updateCard(page, openId).locator(".comment").textContent()).includes(env("RETURN_COMMENT")),
    "the returned answer shows the reviewer's comment",
  );
  check(
    (await updateCard(page, openId).locator("form").count()) === 1,
    "a returned update can be answered again",
  );
  check(
    (await page.locator(`#overdue article[data-action-id="${overdueId}"] dl`).textContent()).includes(note),
    "the approved note is the action's latest update",
  );
  await page.screenshot({ path: screenshot, fullPage: true });

  // Someone else's action: listed for their name, refused in plain words.
  await page.fill("#lead", env("OTHER_LEAD"));
  await showAgain(page);
  await answer(page, env("OTHER_ID"), { text: "Not mine to say" });
  const refusal = updateCard(page, env("OTHER_ID")).locator(".result.failed");
  await refusal.waitFor();
  check(
    (await refusal.textContent()).includes("You are not named as a lead of this action"),
    `answering someone else's action is refused in plain words (${await refusal.textContent()})`,
  );
}

async function straightIn(page) {
  check(
    (await page.textContent("#approval")).includes("straight into the record"),
    "the page says answers go straight in",
  );
  await answer(page, overdueId, { text: note });
  const result = updateCard(page, overdueId).locator(".result.sent");
  await result.waitFor();
  check((await result.textContent()).includes("in the record"), "the page says the update is in the record");
  check((await stateOf(page, overdueId)) === "approved", "the answer is in the record at once");
  await page.screenshot({ path: screenshot, fullPage: true });
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
// resource" too, and some are refused on purpose below.
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
  await page.goto(env("PAGE_URL"), { waitUntil: "load" });
  check((await page.title()).includes("My actions"), "the page loads");
  // Without a token the tracker refuses, and the page says what to do.
  await page.fill("#lead", lead);
  await page.fill("#token", "");
  await page.click("#show");
  await page.waitForSelector("#status.error");
  check((await page.textContent("#status")).includes("access token"), "without a token the page asks for one");
  await listsAndReferences(page);
  if (mode === "approval") await withApproval(page);
  else await straightIn(page);
  check(browserErrors.length === 0, `no script errors in the browser (${browserErrors})`);
  const expected = mode === "approval" ? ["401", "403"] : ["401"];
  check(
    JSON.stringify([...new Set(refused.map((r) => r.split(" ")[0]))]) === JSON.stringify(expected) &&
      refused.filter((r) => r.startsWith("403 ")).every((r) => r.endsWith("/Apply")),
    `the only refused requests are those without a token and for someone else's action (${refused})`,
  );
} catch (error) {
  failed = true;
  console.error(String(error));
  if (browserErrors.length) console.error(`browser errors: ${browserErrors}`);
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-failed.png"), fullPage: true });
} finally {
  console.log(`screenshot: ${screenshot}`);
  await browser.close();
}
process.exit(failed ? 1 : 0);
