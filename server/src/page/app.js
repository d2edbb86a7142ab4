// The okrs page: reads the review, draws the alignment tree, records
// check-ins, and follows the event stream. Plain JavaScript, no build step.
"use strict";

const state = { token: null, me: null, rows: [], byId: new Map(), seq: 0, events: null };
const $ = (id) => document.getElementById(id);

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: `Bearer ${state.token}` }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.message || response.statusText);
    error.body = body;
    error.status = response.status;
    throw error;
  }
  return body;
}

const percent = (p) => `${Math.round(Number(p) * 100)} %`;
const words = (s) => (s || "").replace(/-/g, " ");

// ---- signing in -------------------------------------------------------

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/api/me");
  } catch (e) {
    state.token = null;
    localStorage.removeItem("okrs-token");
    $("signin").hidden = false;
    $("board").hidden = true;
    $("signin-error").textContent = e.status === 401 ? "That token is not known here." : e.message;
    return;
  }
  localStorage.setItem("okrs-token", token);
  $("who").textContent = `Signed in as ${state.me.person}${state.me.admin ? " (admin)" : ""}`;
  $("signin").hidden = true;
  $("board").hidden = false;
  await loadPeriods();
  await loadReview();
  follow();
}

$("signin-form").addEventListener("submit", (e) => {
  e.preventDefault();
  signIn($("token").value.trim());
});

// ---- the review -------------------------------------------------------

async function loadPeriods() {
  const { periods } = await api("/api/periods");
  const select = $("period");
  select.length = 1;
  for (const p of periods) {
    const option = new Option(`${p.id} (${p.start} – ${p.end})`, p.id);
    select.add(option);
  }
  // The period that holds today, else the last one.
  const now = today();
  // The narrowest period holding today (the quarter, not the year).
  const current = periods.filter((p) => p.start <= now && now <= p.end)
    .sort((a, b) => (a.start > b.start ? -1 : 1))[0];
  if (current) select.value = current.id;
}

async function loadReview(minSeq) {
  // The whole review: the period is chosen on the page, so that what a
  // period's objectives align to can be shown around them.
  const params = new URLSearchParams({ as_of: $("as-of").value || today() });
  if (minSeq !== undefined) params.set("min_seq", String(minSeq));
  const review = await api(`/api/review?${params}`);
  if (review.seq < state.seq && minSeq === undefined) return; // an older answer arrived late
  state.seq = review.seq;
  state.rows = review.nodes;
  state.byId = new Map(review.nodes.map((n) => [n.id, n]));
  $("seq").textContent = `as of ${review.as_of}, edit #${review.seq}`;
  drawTree();
  fillKeyResults();
}

$("period").addEventListener("change", () => { drawTree(); fillKeyResults(); });
$("as-of").addEventListener("change", () => loadReview());

// The period's objectives and their key results, and — for context — the
// objectives they align to, up to the top, with theirs.
function shown() {
  const period = $("period").value;
  if (!period) return new Set(state.rows.map((r) => r.id));
  const objectives = new Set();
  const queue = state.rows.filter((r) => r.kind === "objective" && r.period === period).map((r) => r.id);
  while (queue.length) {
    const id = queue.pop();
    if (objectives.has(id)) continue;
    objectives.add(id);
    for (const target of state.byId.get(id).aligned_to || []) {
      let node = state.byId.get(target);
      while (node && node.kind === "key-result") node = state.byId.get(node.parent);
      if (node) queue.push(node.id);
    }
  }
  const ids = new Set();
  for (const row of state.rows) {
    let top = row;
    while (top && top.kind === "key-result") top = state.byId.get(top.parent);
    if (top && objectives.has(top.id)) ids.add(row.id);
  }
  return ids;
}

function drawTree() {
  const visible = shown();
  const children = new Map();
  const push = (parent, id) => {
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(id);
  };
  const roots = [];
  for (const row of state.rows) {
    if (!visible.has(row.id)) continue;
    if (row.kind === "key-result") {
      push(row.parent, row.id);
    } else {
      const target = (row.aligned_to || []).find((t) => visible.has(t));
      if (target) push(target, row.id); else roots.push(row.id);
    }
  }
  const tree = $("tree");
  tree.replaceChildren(list(roots, children, new Set()));
  if (!roots.length) tree.textContent = "Nothing in this period.";
}

function list(ids, children, seen) {
  const ul = document.createElement("ul");
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const li = document.createElement("li");
    li.append(card(state.byId.get(id)));
    const below = children.get(id);
    if (below) li.append(list(below, children, seen));
    ul.append(li);
  }
  return ul;
}

function card(row) {
  const div = document.createElement("div");
  div.className = `node ${row.kind}`;
  div.dataset.id = row.id;
  div.dataset.progress = row.progress;
  const head = document.createElement("div");
  head.className = "node-head";
  const kind = document.createElement("span");
  kind.className = "kind";
  kind.textContent = row.kind === "objective" ? (row.level || "objective") : "key result";
  const title = document.createElement("span");
  title.className = "node-title";
  title.textContent = row.title;
  const pct = document.createElement("span");
  pct.className = "percent";
  pct.textContent = percent(row.progress);
  head.append(kind, title, pct);
  if (row.visibility === "private") {
    const lock = document.createElement("span");
    lock.className = "badge private";
    lock.textContent = "private";
    const who = ["its owners", "the owners of its key results"].concat(row.viewers || []);
    lock.title = `Only ${who.join(", ")} see this objective; others see the rest without it.`;
    head.append(lock);
  }
  if (row.status) {
    const badge = document.createElement("span");
    badge.className = `badge ${row.status}`;
    badge.textContent = words(row.status);
    badge.title = row.expected !== undefined ? `expected by now: ${percent(row.expected)}` : "";
    head.append(badge);
  }
  const bar = document.createElement("div");
  bar.className = `bar ${row.band}`;
  bar.setAttribute("role", "progressbar");
  bar.setAttribute("aria-valuenow", String(Math.round(Number(row.progress) * 100)));
  bar.setAttribute("aria-label", `${row.title}: ${percent(row.progress)}, ${row.band}`);
  const fill = document.createElement("span");
  fill.style.width = `${Math.min(100, Number(row.progress) * 100)}%`;
  bar.append(fill);
  const meta = document.createElement("div");
  meta.className = "meta";
  const bits = [`${row.band} band`];
  if (row.owners && row.owners.length) bits.push(`owner: ${row.owners.join(", ")}`);
  if (row.forecast !== undefined) bits.push(`forecast: ${percent(row.forecast)} (${row.forecast_band})`);
  if (row.confidence !== undefined) bits.push(`confidence: ${percent(row.confidence)}`);
  if (row.period) bits.push(row.period);
  for (const bit of bits) {
    const span = document.createElement("span");
    span.textContent = bit;
    meta.append(span);
  }
  div.append(head, bar, meta);
  return div;
}

// ---- check-ins --------------------------------------------------------

function mayEdit(row) {
  if (!state.me) return false;
  if (state.me.admin) return true;
  const mine = (owners) => (owners || []).some((o) => o === state.me.person || state.me.groups.includes(o));
  for (let node = row; node; node = state.byId.get(node.parent)) {
    if (mine(node.owners)) return true;
    if (node.kind === "objective") break;
  }
  return false;
}

function fillKeyResults() {
  const select = $("checkin-kr");
  const chosen = select.value;
  select.length = 0;
  const visible = shown();
  for (const row of state.rows) {
    if (row.kind !== "key-result" || !row.metric || !visible.has(row.id) || !mayEdit(row)) continue;
    select.add(new Option(row.title, row.id));
  }
  if (chosen && state.byId.has(chosen)) select.value = chosen;
  if (!select.length) select.add(new Option("(no key result of yours here)", ""));
  hint();
}

function hint() {
  const row = state.byId.get($("checkin-kr").value);
  const metric = row && row.metric;
  let text = "";
  if (metric) {
    switch (metric.kind) {
      case "numeric": text = `a number from ${metric.start} towards ${metric.target}${metric.unit ? " " + metric.unit : ""}`; break;
      case "binary": text = "done: yes or no"; break;
      case "milestones": text = "the milestones reached, separated by ; — " + metric.milestones.map((m) => m.title).join("; "); break;
      case "manual": text = "progress from 0 to 1"; break;
      default: text = `a number (${words(metric.kind)})`;
    }
  }
  $("checkin-hint").textContent = text;
}
$("checkin-kr").addEventListener("change", hint);

function checkInValue(metric, text) {
  if (metric.kind === "binary") return /^(yes|true|done|1)$/i.test(text.trim());
  if (metric.kind === "milestones") return text.split(";").map((t) => t.trim()).filter(Boolean);
  return text.trim();
}

$("checkin-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const result = $("checkin-result");
  const row = state.byId.get($("checkin-kr").value);
  if (!row) return;
  const checkIn = { at: today(), value: checkInValue(row.metric, $("checkin-value").value) };
  if ($("checkin-confidence").value) checkIn.confidence = $("checkin-confidence").value;
  if ($("checkin-note").value.trim()) checkIn.note = $("checkin-note").value.trim();
  result.className = "";
  result.textContent = "Recording…";
  try {
    const written = await api("/api/edits", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ op: "record-check-in", key_result: row.id, check_in: checkIn }),
    });
    const moved = written.changes.moved.filter((m) => m.progress !== undefined)
      .map((m) => `${(state.byId.get(m.id) || { title: m.id }).title} ${percent(m.progress_before)} → ${percent(m.progress)}`);
    result.className = "ok";
    result.textContent = `Recorded (edit #${written.seq}). ${moved.join("; ")}`;
    $("checkin-value").value = "";
    await loadReview(written.seq);
    flash(written.changes.moved.map((m) => m.id));
  } catch (error) {
    result.className = "fail";
    result.textContent = `Not recorded: ${error.message}`;
  }
});

// ---- live updates -----------------------------------------------------

function follow() {
  if (state.events) state.events.close();
  const events = new EventSource(`/api/events?access_token=${encodeURIComponent(state.token)}`);
  state.events = events;
  events.onopen = () => $("live").classList.add("on");
  events.onerror = () => $("live").classList.remove("on");
  events.addEventListener("changes", async (message) => {
    const event = JSON.parse(message.data);
    const item = document.createElement("li");
    const what = event.ops.map(words).join(", ");
    item.textContent = `${event.by} — ${what} on ${event.nodes.join(", ")} (edit #${event.seq})`;
    $("activity").prepend(item);
    while ($("activity").children.length > 20) $("activity").lastChild.remove();
    if (event.seq > state.seq) {
      await loadReview(event.seq);
      flash(event.changes.moved.map((m) => m.id));
    }
  });
  events.addEventListener("resync", () => loadReview());
}

function flash(ids) {
  for (const id of ids) {
    const el = document.querySelector(`.node[data-id="${CSS.escape(id)}"]`);
    if (!el) continue;
    el.classList.add("flash");
    setTimeout(() => el.classList.remove("flash"), 1500);
  }
}

// ---- start ------------------------------------------------------------

$("as-of").value = today();
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) history.replaceState(null, "", location.pathname);
const saved = fromHash || localStorage.getItem("okrs-token");
if (saved) signIn(saved); else $("signin").hidden = false;
