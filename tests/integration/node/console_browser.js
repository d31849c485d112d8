// Drives the operators' console in Debian's headless Chromium (puppeteer-core; no browser is
// downloaded) as three people, each in a browser of their own whose NSS database holds their
// client certificate (test_console_browser.py prepares them and the policy that lets Chromium
// present it):
//   anna (operator): signs in, sees the parked item, replays it, sees it delivered, opens the
//     case's timeline, a registered delivery's receipts, the audit log, the French overview;
//     keyboard and contrast checks;
//   rita (reviewer, Steueramt): approves the pending identity link;
//   bruno (reviewer, Betreibungsamt): does not see it, and the JSON API refuses him too.
// Saves a screenshot of each page in SCREENSHOTS. Exits non-zero naming the first failed step.
//
// Environment: CONSOLE_URL, HOMES (JSON {user: folder}), SCREENSHOTS, ITEM (work item id),
// BPID (its case), LINK (the pending link's id), REGISTERED_BPID (a case with registered mail
// accepted by its recipient).
"use strict";
const path = require("path");
const puppeteer = require("puppeteer-core");

const consoleUrl = process.env.CONSOLE_URL;
const homes = JSON.parse(process.env.HOMES);
const shots = process.env.SCREENSHOTS;
const item = process.env.ITEM;
const bpid = process.env.BPID;
const link = process.env.LINK;
const registeredBpid = process.env.REGISTERED_BPID;

function check(condition, what) {
  if (!condition) throw new Error("failed: " + what);
  console.log("ok: " + what);
}

async function browserFor(user) {
  return puppeteer.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    userDataDir: path.join(homes[user], "profile"),
    env: { ...process.env, HOME: homes[user] },
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--password-store=basic",
           "--lang=de-CH"],
  });
}

// Runs `steps` as `user` in a browser of their own; on a failure, saves what the page showed
// (failure.png) before that browser closes.
async function as(user, steps) {
  const browser = await browserFor(user);
  let page = null;
  try {
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await steps(page);
  } catch (e) {
    if (page) {
      try {
        console.error("the page showed: " + await page.$eval("body", (b) => b.innerText));
        await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true });
      } catch (ignored) { /* the page is gone */ }
    }
    throw e;
  } finally {
    await browser.close();
  }
}

async function shot(page, name) {
  // Every page: no element turned into text instead of being shown.
  const shown = await page.$eval("body", (b) => b.innerText);
  check(!shown.includes("[object "), name + ": every element is drawn, none printed as text");
  await page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
}

async function text(page, selector) {
  return page.$eval(selector, (e) => e.textContent);
}

async function signIn(page, expectedHeading) {
  await page.goto(consoleUrl, { waitUntil: "networkidle0" });
  await page.waitForSelector("#sign-in-certificate");
  await shot(page, "01-sign-in");
  await page.click("#sign-in-certificate");
  await page.waitForFunction((h) => document.querySelector("main h1")?.textContent === h, {}, expectedHeading);
}

// Every element with text of its own meets WCAG 2.1 AA contrast against what is behind it
// (4.5:1; 3:1 for large text).
async function contrastProblems(page) {
  return page.evaluate(() => {
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const background = (e) => {
      for (let n = e; n; n = n.parentElement) {
        const c = rgb(getComputedStyle(n).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const problems = [];
    for (const e of document.querySelectorAll("body *")) {
      const own = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own || e.offsetParent === null) continue;
      const style = getComputedStyle(e);
      const fg = lum(rgb(style.color)), bg = lum(background(e));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) problems.push(`${e.tagName} "${e.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}`);
    }
    return problems;
  });
}

async function operator() {
  await as("anna", async (page) => {
    await signIn(page, "Übersicht");
    check((await text(page, "#signed-in")).includes("anna"), "anna is signed in by certificate");
    const cookies = await page.cookies();
    const session = cookies.find((c) => c.name === "portier_console");
    check(session && session.httpOnly && session.secure && session.sameSite === "Strict",
          "the session cookie is HttpOnly, Secure, SameSite=Strict");
    check(await page.evaluate(() => !document.cookie.includes("portier_console")),
          "the page's script cannot read the session cookie");
    await page.waitForSelector("main table");
    await shot(page, "02-overview");
    check((await contrastProblems(page)).length === 0,
          "overview: WCAG AA contrast " + JSON.stringify(await contrastProblems(page)));

    // Keyboard: the first Tab reaches the skip link, which moves the focus to the content.
    await page.keyboard.press("Tab");
    check(await page.evaluate(() => document.activeElement.id === "skip"), "Tab reaches the skip link first");

    await page.goto(consoleUrl + "#/dead-letters", { waitUntil: "networkidle0" });
    await page.waitForSelector(`tr[data-item="${item}"]`);
    await shot(page, "03-dead-letters");
    check((await text(page, `tr[data-item="${item}"]`)).includes("zurückgestellt"), "the parked item is listed");
    // The replay button is reached and pressed by keyboard.
    await page.focus(`tr[data-item="${item}"] button.replay`);
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => document.getElementById("status").textContent.includes(`Auftrag ${id} erneut`), {}, item);
    check(true, "replayed from the list by keyboard");

    let state = "";
    // Open the item (by its link in the list), then reload it until dispatch delivered it.
    await page.goto(consoleUrl + "#/dead-letters?state=pending", { waitUntil: "networkidle0" });
    await page.goto(consoleUrl + "#/dead-letters/" + item, { waitUntil: "networkidle0" });
    for (let i = 0; i < 100 && state !== "erledigt"; i++) {
      if (i > 0) await page.reload({ waitUntil: "networkidle0" });
      // The item's own page (its heading), not a list that an earlier navigation still drew;
      // heading and state read in one step, so that no later drawing falls between them.
      const shown = await page.waitForFunction((id) => {
        const dd = document.querySelector("main dl dd");
        return document.querySelector("main h1")?.textContent === `Auftrag ${id}` && dd ? dd.textContent : false;
      }, {}, item);
      state = await shown.jsonValue();
      if (state !== "erledigt") await new Promise((r) => setTimeout(r, 200));
    }
    await shot(page, "04-item-delivered");
    check(state === "erledigt", "the replayed item is delivered (state " + state + ")");

    await page.goto(consoleUrl + "#/case/" + encodeURIComponent(bpid), { waitUntil: "networkidle0" });
    await page.waitForSelector("#chain-verdict");
    await shot(page, "05-case-timeline");
    check((await text(page, "#status")) === "", "the replay's message stays on its page, not on the case's");
    check((await text(page, "#chain-verdict")).includes("intakt"), "the case's evidence chain is verified intact");
    const hops = await page.$$eval("main table tbody th", (ths) => ths.map((t) => t.textContent));
    check(hops.includes("parked") && hops.includes("replayed") && hops.includes("delivered"),
          "the timeline shows parked, replayed, delivered: " + hops.join(","));
    const timeline = await text(page, "section[aria-labelledby=h-time] table");
    check(timeline.includes("was parked; replayed by console:anna"),
          "the replay's evidence record names anna: " + timeline);
    const exported = await page.evaluate(async (href) => {
      const r = await fetch(href);
      return { status: r.status, disposition: r.headers.get("Content-Disposition"), body: await r.json() };
    }, await page.$eval("#download-evidence", (a) => a.href));
    check(exported.status === 200 && exported.disposition.startsWith("attachment") &&
          exported.body.records.length === hops.length, "the evidence export downloads with every record");

    // A case whose payment order went as registered mail and was accepted: its receipts.
    await page.goto(consoleUrl + "#/case/" + encodeURIComponent(registeredBpid), { waitUntil: "networkidle0" });
    await page.waitForSelector("tr.receipt");
    await shot(page, "06-case-receipts");
    const receipts = await page.$$eval("tr.receipt", (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
    check(receipts.map((r) => r[0]).join(",") === "SUBMISSION,ACCEPTANCE" && receipts.every((r) => r[2] === "ja"),
          "the registered delivery shows its two receipts, seals valid: " + JSON.stringify(receipts));
    const delivery = await text(page, "section.delivery");
    check(/Rechtliches Zustelldatum\s*\d{4}-\d{2}-\d{2}/.test(delivery) && delivery.includes("ACCEPTED"),
          "the delivery is accepted with its legal delivery date: " + delivery);

    await page.goto(consoleUrl + "#/audit", { waitUntil: "networkidle0" });
    await page.waitForSelector("main table");
    await shot(page, "07-audit");
    check((await text(page, "main table")).includes(`replayed work item ${item}`), "the audit log shows anna's replay");

    await page.goto(consoleUrl + "#/overview", { waitUntil: "networkidle0" });
    await page.waitForSelector("main table");
    await page.select("#lang", "fr");
    await page.waitForFunction(() => document.querySelector("main h1")?.textContent === "Vue d’ensemble");
    await page.waitForSelector("main table");
    await shot(page, "08-overview-fr");
    check(await page.evaluate(() => document.documentElement.lang === "fr"), "French: the page's language is fr");
    await page.select("#lang", "de");

    // Without the CSRF token a change is refused, even with the session cookie.
    const forged = await page.evaluate(async (id) => (await fetch(`/console/api/work-items/${id}/replay`, { method: "POST" })).status, item);
    check(forged === 403, "a change without the CSRF token is refused (" + forged + ")");
  });
}

async function reviewer() {
  await as("rita", async (page) => {
    await signIn(page, "Identitätsverknüpfungen");
    await page.waitForSelector(`tr[data-link="${link}"]`);
    await shot(page, "09-identity-links");
    check((await page.$$("nav a")).length === 1, "a reviewer sees only the identity links in the menu");
    await page.click(`tr[data-link="${link}"] button.approve`);
    await page.waitForFunction((id) => document.getElementById("status").textContent.includes(`${id} bestätigt`), {}, link);
    // The list is drawn again after the message.
    await page.waitForFunction((id) => !document.querySelector(`tr[data-link="${id}"]`), {}, link);
    check(true, "approved: the link left the pending list");
    await page.goto(consoleUrl + "#/identity?state=active", { waitUntil: "networkidle0" });
    await page.waitForSelector(`tr[data-link="${link}"]`);
    await shot(page, "10-identity-link-approved");
    check((await text(page, `tr[data-link="${link}"]`)).includes("console:rita"), "the link is active, decided by rita");
  });
}

async function otherDepartment() {
  await as("bruno", async (page) => {
    await signIn(page, "Identitätsverknüpfungen");
    await page.goto(consoleUrl + "#/identity?state=all", { waitUntil: "networkidle0" });
    await page.waitForSelector("main h1");
    await new Promise((r) => setTimeout(r, 300));
    await shot(page, "11-identity-other-department");
    check(!(await page.$(`tr[data-link="${link}"]`)), "a reviewer of another department does not see the link");
    const api = await page.evaluate(async (id) => {
      const s = await (await fetch("/console/api/session")).json();
      const get = await fetch(`/console/api/identity-links/${id}`);
      const post = await fetch(`/console/api/identity-links/${id}/revoke`, {
        method: "POST", headers: { "X-CSRF-Token": s.csrfToken, "Content-Type": "application/json" },
        body: JSON.stringify({ reason: "not mine" }) });
      const list = await fetch("/console/api/identity-links?department=steueramt");
      return [get.status, post.status, list.status];
    }, link);
    check(JSON.stringify(api) === "[404,404,403]", "over the JSON API too: " + JSON.stringify(api));
  });
}

(async () => {
  try {
    await operator();
    await reviewer();
    await otherDepartment();
    console.log("console browser test passed");
  } catch (e) {
    console.error(e.stack || String(e));
    process.exit(1);
  }
})();
