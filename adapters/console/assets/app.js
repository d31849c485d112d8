// The operators' console: one page, its views chosen by the address's fragment (#/overview,
// #/dead-letters, #/dead-letters/ID, #/case/BPID, #/identity, #/audit). It talks only to the JSON
// API under /console/api/ (openapi.yaml); the session cookie is HttpOnly, so the script sees
// the CSRF token alone, which it sends with every change. Every text comes from strings.js;
// the DOM is built with text nodes only, never from markup, so no data can become markup.
import { languages, strings } from "./strings.js";

const API = "/console/api/";
let lang = localStorage.getItem("portier.console.lang") || "de";
if (!strings[lang]) lang = "de";
let session = null;

function t(key, vars = {}) {
  const text = strings[lang][key] ?? strings.de[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
}

// el("tag", {attributes, on: {event: fn}}, ...children): children are nodes or text.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "on") {
      for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    } else if (value === true) {
      node.setAttribute(name, "");
    } else if (value !== false && value !== undefined && value !== null) {
      node.setAttribute(name, String(value));
    }
  }
  // Any depth: definitions() passes [[dt, dd], ...], and one level would turn the pairs into
  // the text "[object HTMLElement],...".
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || String(status));
    this.status = status;
    this.problem = problem;
  }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["X-CSRF-Token"] = session ? session.csrfToken : "";
    if (body !== undefined) headers["Content-Type"] = "application/json";
  }
  const response = await fetch(API + path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const data = text ? JSON.parse(text) : {};
  if (!response.ok) throw new ApiError(response.status, data);
  return { status: response.status, data };
}

function announce(message, kind = "info") {
  const box = document.getElementById("status");
  box.className = "status " + kind;
  box.textContent = message;
}

// A message belongs to the page it was given on: going to another page clears it (an action's
// own refresh of the page keeps it).
function clearStatus() {
  const box = document.getElementById("status");
  box.className = "status";
  box.textContent = "";
}

function main() {
  return document.getElementById("main");
}

function show(...nodes) {
  const m = main();
  m.replaceChildren(...nodes);
  const heading = m.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

function failure(error, render = show) {
  if (error instanceof ApiError && error.status === 401) {
    session = null;
    renderChrome();
    return signInView();
  }
  const text = error instanceof ApiError && error.status === 403 ? t("forbidden") + " " + error.message
                                                                   : t("error", { reason: error.message });
  announce(text, "error");
  return render(el("h1", {}, t("error", { reason: "" }).replace(/[:\s]+$/, "")), el("p", { class: "error" }, text));
}

function table(caption, headers, rows, empty) {
  if (rows.length === 0) return el("p", { class: "empty" }, empty);
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows));
}

function field(label, input) {
  const id = input.id || "f-" + Math.random().toString(36).slice(2);
  input.id = id;
  return el("div", { class: "field" }, el("label", { for: id }, label), input);
}

function definitions(pairs) {
  return el("dl", {}, pairs.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v === "" ? "–" : v)]));
}

// ---------------------------------------------------------------- chrome

function renderChrome() {
  document.documentElement.lang = lang;
  document.title = t("appName");
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("brand").textContent = t("appName");
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("mainNav"));
  const links = [];
  if (session) {
    const roles = session.roles;
    const reads = roles.includes("viewer") || roles.includes("operator");
    if (reads) {
      links.push(["#/overview", t("navOverview")], ["#/dead-letters", t("navDeadLetters")],
                 ["#/case", t("navCase")]);
    }
    if (roles.includes("reviewer")) links.push(["#/identity", t("navIdentity")]);
    if (reads) links.push(["#/audit", t("navAudit")]);
  }
  const current = location.hash.split("/")[1] || "";
  nav.replaceChildren(el("ul", {}, links.map(([href, label]) =>
    el("li", {}, el("a", { href, "aria-current": href.split("/")[1] === current ? "page" : false }, label)))));
  const who = document.getElementById("who");
  who.replaceChildren();
  if (session) {
    who.append(el("span", { id: "signed-in" }, t("signedInAs", { user: session.user, roles: session.roles.join(", ") })),
      " ",
      el("button", { type: "button", id: "sign-out", on: { click: signOut } }, t("signOut")));
  }
  const select = document.getElementById("lang");
  select.replaceChildren(...Object.entries(languages).map(([code, name]) =>
    el("option", { value: code, selected: code === lang, lang: code }, name)));
  document.getElementById("lang-label").textContent = t("language");
}

async function signOut() {
  try {
    await api("DELETE", "session");
  } catch (e) { /* signed out either way */ }
  session = null;
  renderChrome();
  location.hash = "";
  signInView();
}

function signInView() {
  const message = el("p", { id: "sign-in-message", role: "alert" });
  const button = el("button", { type: "button", id: "sign-in-certificate", on: { click: async () => {
    try {
      const { data } = await api("POST", "session/certificate");
      session = data;
      renderChrome();
      if (!location.hash || location.hash === "#/") location.hash = defaultView();
      else route();
    } catch (e) {
      message.textContent = t("signInFailed", { reason: e.message });
    }
  } } }, t("signInCertificate"));
  show(el("h1", {}, t("signInTitle")),
       el("p", {}, t("signInIntro")),
       el("p", {}, button),
       el("p", {}, el("a", { href: API + "session/oidc/start", id: "sign-in-oidc" }, t("signInOidc"))),
       message);
}

function defaultView() {
  if (!session) return "";
  const roles = session.roles;
  return roles.includes("viewer") || roles.includes("operator") ? "#/overview" : "#/identity";
}

// ---------------------------------------------------------------- views

async function overviewView(render) {
  const { data } = await api("GET", "overview");
  const ok = data.health === "ok";
  const destinations = data.destinations.map((d) => el("tr", {},
    el("th", { scope: "row" }, d.name), el("td", { class: "num" }, d.pending), el("td", { class: "num" }, d.inflight),
    el("td", { class: "num" }, d.parked), el("td", { class: "num" }, d.retries),
    el("td", {}, t("circuit_" + d.circuit)), el("td", {}, d.oldestOpen || "–")));
  const mailboxes = data.mailboxes.map((m) => el("tr", {},
    el("th", { scope: "row" }, m.mailbox), el("td", { class: "num" }, m.backlog ?? 0),
    el("td", { class: "num" }, m.oldestSubmissionSeconds ?? 0), el("td", { class: "num" }, m.parked ?? 0)));
  const mappings = data.mappings.map((m) => el("tr", {},
    el("th", { scope: "row" }, m.name), el("td", {}, m.displayName), el("td", {}, m.file)));
  render(el("h1", {}, t("overviewTitle")),
    el("section", { "aria-labelledby": "h-health" }, el("h2", { id: "h-health" }, t("health")),
      definitions([
        [t("health"), ok ? t("journalOk") : data.health],
        [t("ready"), data.ready ? t("yes") : t("no")],
        [t("instance"), data.instance],
        [t("receiptsAwaited"), String(data.receiptsAwaited)]])),
    el("section", { "aria-labelledby": "h-dest" }, el("h2", { id: "h-dest" }, t("destinations")),
      table(t("destinations"), [t("destination"), t("pending"), t("inflight"), t("parked"), t("retries"), t("circuit"), t("oldestOpen")],
            destinations, t("none"))),
    el("section", { "aria-labelledby": "h-mail" }, el("h2", { id: "h-mail" }, t("mailboxes")),
      table(t("mailboxes"), [t("mailbox"), t("backlog"), t("oldestSubmission"), t("parked")], mailboxes, t("none"))),
    el("section", { "aria-labelledby": "h-map" }, el("h2", { id: "h-map" }, t("mappings")),
      table(t("mappings"), ["Name", t("title"), t("mappingFile")], mappings, t("none")),
      el("h3", {}, t("reloadProblems")),
      data.mappingReloadProblems.length ? el("ul", { class: "error" }, data.mappingReloadProblems.map((p) => el("li", {}, p)))
                                        : el("p", {}, t("none"))));
}

function stateSelect(id, states, selected) {
  return el("select", { id, name: id }, states.map((s) =>
    el("option", { value: s, selected: s === selected }, t("state_" + s))));
}

async function deadLettersView(render, params) {
  const state = params.get("state") || "parked";
  const destination = params.get("destination") || "";
  const bpid = params.get("businessProcessId") || "";
  const query = new URLSearchParams({ state });
  if (destination) query.set("destination", destination);
  if (bpid) query.set("businessProcessId", bpid);
  const { data } = await api("GET", "work-items?" + query);
  const canAct = session.roles.includes("operator");
  const form = el("form", { class: "filters", on: { submit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams({ state: form.elements.state.value });
    if (form.elements.destination.value) q.set("destination", form.elements.destination.value);
    if (form.elements.businessProcessId.value) q.set("businessProcessId", form.elements.businessProcessId.value);
    location.hash = "#/dead-letters?" + q;
  } } },
    field(t("state"), stateSelect("state", ["parked", "pending", "inflight", "done"], state)),
    field(t("destination"), el("input", { id: "destination", name: "destination", value: destination })),
    field(t("businessProcessId"), el("input", { id: "businessProcessId", name: "businessProcessId", value: bpid })),
    el("button", { type: "submit" }, t("filter")));
  const rows = data.items.map((item) => el("tr", { "data-item": item.id },
    canAct ? el("td", {}, el("input", { type: "checkbox", class: "pick", value: item.id, "aria-label": t("select", { id: item.id }) })) : null,
    el("th", { scope: "row" }, el("a", { href: "#/dead-letters/" + item.id }, String(item.id))),
    el("td", {}, t("state_" + item.state)),
    el("td", {}, item.destination), el("td", {}, item.kind),
    el("td", {}, el("a", { href: "#/case/" + encodeURIComponent(item.businessProcessId) }, item.businessProcessId)),
    el("td", { class: "num" }, item.attempts), el("td", {}, item.updated), el("td", { class: "wrap" }, item.lastError),
    canAct ? el("td", {}, item.state === "parked" || item.state === "pending"
      ? el("button", { type: "button", class: "replay", on: { click: () => replay(item.id) } }, t("replay")) : "") : null));
  const headers = [t("id"), t("state"), t("destination"), t("kind"), t("businessProcessId"), t("attempts"), t("updated"), t("lastError")];
  const bulk = canAct && data.items.length
    ? el("button", { type: "button", id: "replay-selected", on: { click: bulkReplay } }, t("replaySelected")) : null;
  render(el("h1", {}, t("deadLettersTitle")), form,
    table(t("deadLettersTitle"), canAct ? ["", ...headers, t("actions")] : headers, rows, t("noItems")), bulk);
}

// After an action, shows the view again, unless the user has gone elsewhere meanwhile (the
// later view must not be replaced by this one).
async function refresh(hashBefore) {
  if (location.hash === hashBefore) await route();
}

async function replay(id) {
  const before = location.hash;
  try {
    await api("POST", `work-items/${id}/replay`);
    announce(t("replayed", { id }), "ok");
    await refresh(before);
  } catch (e) {
    failure(e);
  }
}

async function bulkReplay() {
  const ids = [...document.querySelectorAll("input.pick:checked")].map((c) => Number(c.value));
  if (ids.length === 0) return;
  if (!window.confirm(t("confirmBulk", { count: ids.length }))) return;
  const before = location.hash;
  try {
    const { data } = await api("POST", "work-items/replay", { ids });
    announce(t("bulkDone", { count: data.replayed }), "ok");
    await refresh(before);
  } catch (e) {
    failure(e);
  }
}

async function itemView(render, id) {
  const { data: item } = await api("GET", "work-items/" + encodeURIComponent(id));
  const canAct = session.roles.includes("operator");
  const reason = el("input", { id: "park-reason", name: "reason", required: true, maxlength: 500 });
  const actions = [];
  if (canAct && (item.state === "parked" || item.state === "pending")) {
    actions.push(el("button", { type: "button", id: "replay-item", on: { click: () => replay(item.id) } }, t("replay")));
  }
  if (canAct && (item.state === "pending" || item.state === "inflight")) {
    actions.push(el("form", { id: "park-form", on: { submit: async (e) => {
      e.preventDefault();
      const before = location.hash;
      try {
        await api("POST", `work-items/${item.id}/park`, { reason: reason.value });
        announce(t("parkedMsg", { id: item.id }), "ok");
        await refresh(before);
      } catch (err) { failure(err); }
    } } }, field(t("reason"), reason), el("button", { type: "submit" }, t("park"))));
  }
  render(el("h1", {}, t("itemTitle", { id: item.id })),
    definitions([[t("state"), t("state_" + item.state)], [t("destination"), item.destination], [t("kind"), item.kind],
      [t("department"), item.department], [t("businessProcessId"), item.businessProcessId],
      [t("attempts"), String(item.attempts)], [t("lastError"), item.lastError], [t("nextAttempt"), item.nextAttempt],
      [t("created"), item.created], [t("updated"), item.updated], [t("payload"), item.payloadSha256]]),
    el("div", { class: "actions" }, actions),
    el("p", {}, el("a", { href: "#/dead-letters" }, t("back"))));
}

async function caseView(render, bpid) {
  const input = el("input", { id: "case-bpid", name: "businessProcessId", value: bpid || "", required: true });
  const form = el("form", { class: "filters", on: { submit: (e) => {
    e.preventDefault();
    location.hash = "#/case/" + encodeURIComponent(input.value.trim());
  } } }, field(t("businessProcessId"), input), el("button", { type: "submit" }, t("search")));
  if (!bpid) return render(el("h1", {}, t("caseTitle")), form);
  let data;
  try {
    ({ data } = await api("GET", "cases/" + encodeURIComponent(bpid)));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      return render(el("h1", {}, t("caseTitle")), form, el("p", { class: "empty" }, t("noCase")));
    }
    throw e;
  }
  const chain = data.chain.intact
    ? el("p", { class: "ok", id: "chain-verdict" }, t("chainIntact", { records: data.chain.records }))
    : el("div", { class: "error", id: "chain-verdict" }, el("p", {}, t("chainBroken")),
        el("ul", {}, data.chain.problems.map((p) => el("li", {}, p))));
  const timeline = data.timeline.map((r) => el("tr", {},
    el("td", {}, r.at), el("th", { scope: "row" }, r.hop), el("td", {}, r.operation),
    el("td", {}, r.destination || r.department), el("td", { class: "wrap" }, r.detail)));
  const deliveries = data.deliveries.map((d) => el("section", { class: "delivery" },
    el("h3", {}, d.title || d.fileName),
    definitions([[t("fileName"), d.fileName], [t("channel"), d.channel], [t("status"), d.status || t("state_" + d.workItemState)],
      [t("legalDeliveryDate"), d.legalDeliveryDate || ""]]),
    d.receipts ? table(t("receipts"), [t("receiptKind"), t("eventTime"), t("signatureValid"), "SHA-256"],
      d.receipts.map((r) => el("tr", { class: "receipt" }, el("th", { scope: "row" }, r.kind), el("td", {}, r.eventTime),
        el("td", {}, r.signatureValid ? t("yes") : t("no")), el("td", { class: "hash" }, r.messageSha256))), t("none")) : null));
  render(el("h1", {}, t("caseTitle") + " " + bpid), form,
    el("section", { "aria-labelledby": "h-chain" }, el("h2", { id: "h-chain" }, t("chain")), chain,
      el("p", {}, el("a", { id: "download-evidence", href: API + "cases/" + encodeURIComponent(bpid) + "/evidence",
        download: "evidence-" + bpid + ".json" }, t("download")))),
    el("section", { "aria-labelledby": "h-time" }, el("h2", { id: "h-time" }, t("timeline")),
      table(t("timeline"), [t("at"), t("hop"), t("operation"), t("destination"), t("detail")], timeline, t("none"))),
    el("section", { "aria-labelledby": "h-deliv" }, el("h2", { id: "h-deliv" }, t("deliveries")),
      deliveries.length ? deliveries : el("p", {}, t("none"))));
}

async function identityView(render, params) {
  const state = params.get("state") || "pending";
  const { data } = await api("GET", "identity-links?state=" + encodeURIComponent(state));
  const form = el("form", { class: "filters", on: { submit: (e) => {
    e.preventDefault();
    location.hash = "#/identity?state=" + form.elements.state.value;
  } } }, field(t("state"), stateSelect("state", ["pending", "active", "rejected", "revoked", "all"], state)),
    el("button", { type: "submit" }, t("filter")));
  const rows = data.links.map((l) => {
    const reason = el("input", { class: "reason", maxlength: 500, "aria-label": t("reason") + " " + l.linkId });
    const decide = async (decision) => {
      if (decision !== "approve" && !reason.value.trim()) {
        announce(t("reasonNeeded"), "error");
        reason.focus();
        return;
      }
      const before = location.hash;
      try {
        const path = decision === "revoke" ? `identity-links/${l.linkId}/revoke` : `identity-links/${l.linkId}/decision`;
        const body = decision === "revoke" ? { reason: reason.value } : { decision, reason: reason.value };
        const { status } = await api("POST", path, body);
        announce(status === 202 ? t("awaitingSecond")
          : t(decision === "approve" ? "approved" : decision === "reject" ? "rejected" : "revoked", { id: l.linkId }), "ok");
        await refresh(before);
      } catch (e) { failure(e); }
    };
    const buttons = l.state === "pending"
      ? [el("button", { type: "button", class: "approve", on: { click: () => decide("approve") } }, t("approve")),
         el("button", { type: "button", class: "reject", on: { click: () => decide("reject") } }, t("reject"))]
      : l.state === "active" ? [el("button", { type: "button", class: "revoke", on: { click: () => decide("revoke") } }, t("revoke"))] : [];
    return el("tr", { "data-link": l.linkId },
      el("th", { scope: "row" }, el("span", { class: "hash" }, l.linkId)), el("td", {}, t("state_" + l.state)),
      el("td", {}, l.department), el("td", {}, l.accountId), el("td", { class: "num" }, l.serviceId),
      el("td", {}, l.matchedOn), el("td", {}, l.createdAt), el("td", {}, l.decidedBy),
      el("td", {}, buttons.length ? [reason, ...buttons] : l.reason));
  });
  render(el("h1", {}, t("identityTitle")),
    el("p", {}, t("reviewFor", { departments: session.departments.join(", ") })), form,
    table(t("identityTitle"), [t("link"), t("state"), t("department"), t("account"), t("service"), t("matchedOn"), t("created"), t("decidedBy"), t("actions")],
      rows, t("noLinks")));
}

async function auditView(render) {
  const { data } = await api("GET", "audit?limit=200");
  const rows = data.entries.map((e) => el("tr", {},
    el("td", {}, e.at), el("th", { scope: "row" }, e.who), el("td", {}, e.operation),
    el("td", {}, e.businessProcessId), el("td", {}, e.remoteAddress), el("td", { class: "wrap" }, e.reason)));
  render(el("h1", {}, t("auditTitle")),
    table(t("auditTitle"), [t("at"), t("who"), t("operation"), t("businessProcessId"), t("remote"), t("detail")], rows, t("noEntries")));
}

// ---------------------------------------------------------------- routing

// Every route() call gets a number; a view renders only if no later call has begun meanwhile.
// Two quick navigations (or an action's refresh and a click) otherwise race: the earlier
// view's answer can arrive last and replace the page the user asked for.
let routeCount = 0;

async function route() {
  const mine = ++routeCount;
  const render = (...nodes) => (mine === routeCount ? show(...nodes) : undefined);
  renderChrome();
  if (!session) return signInView();
  const [path, query = ""] = location.hash.replace(/^#/, "").split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const params = new URLSearchParams(query);
  try {
    switch (parts[0]) {
      case "overview": return await overviewView(render);
      case "dead-letters": return parts[1] ? await itemView(render, parts[1]) : await deadLettersView(render, params);
      case "case": return await caseView(render, parts.slice(1).join("/"));
      case "identity": return await identityView(render, params);
      case "audit": return await auditView(render);
      default:
        location.hash = defaultView();
        return undefined;
    }
  } catch (e) {
    return failure(e, render);
  }
}

async function start() {
  document.getElementById("lang").addEventListener("change", (e) => {
    lang = e.target.value;
    localStorage.setItem("portier.console.lang", lang);
    route();
  });
  window.addEventListener("hashchange", () => {
    clearStatus();
    route();
  });
  try {
    const { data } = await api("GET", "session");
    session = data;
  } catch (e) {
    session = null;
  }
  await route();
  document.body.dataset.ready = "true";
}

start();
