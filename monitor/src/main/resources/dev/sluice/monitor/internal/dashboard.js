"use strict";
(function () {
  const params = new URLSearchParams(location.search);
  const token = params.get("token");
  const HISTORY_MS = 10 * 60 * 1000;
  const MAX_EVENTS = 300;
  const state = {
    pollMs: 2000, lastOk: 0, lastTry: 0, lostSince: 0, snapshot: null, lastEventId: 0,
    history: new Map(), problem: null, stream: null, streamOpen: false
  };

  // ---- helpers
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else node.setAttribute(k, v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  const $ = (id) => document.getElementById(id);
  function url(path) {
    return token ? path + (path.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token) : path;
  }
  function num(n, digits) {
    if (n === null || n === undefined || Number.isNaN(n)) return "–";
    return Number(n).toLocaleString("en-US", { maximumFractionDigits: digits === undefined ? 0 : digits });
  }
  function compact(n) {
    if (n === null || n === undefined) return "–";
    const abs = Math.abs(n);
    if (abs >= 1e9) return (n / 1e9).toFixed(abs >= 1e10 ? 0 : 1) + "G";
    if (abs >= 1e6) return (n / 1e6).toFixed(abs >= 1e7 ? 0 : 1) + "M";
    if (abs >= 1e4) return (n / 1e3).toFixed(0) + "k";
    return num(n);
  }
  function bytes(n) {
    if (n === null || n === undefined || n < 0) return "–";
    const units = ["B", "KB", "MB", "GB", "TB"];
    let i = 0, v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)) + " " + units[i];
  }
  function seconds(s) {
    if (s === null || s === undefined || s < 0) return "–";
    if (s < 10) return s.toFixed(1) + " s";
    if (s < 60) return Math.round(s) + " s";
    if (s < 3600) return Math.floor(s / 60) + " m " + Math.round(s % 60) + " s";
    if (s < 86400) return Math.floor(s / 3600) + " h " + Math.round((s % 3600) / 60) + " m";
    return Math.floor(s / 86400) + " d " + Math.round((s % 86400) / 3600) + " h";
  }
  function ago(iso) {
    if (!iso) return "–";
    const s = (Date.now() - Date.parse(iso)) / 1000;
    return s < 1 ? "just now" : seconds(s) + " ago";
  }
  function clock(iso) {
    const d = new Date(iso);
    return d.toLocaleTimeString("en-GB", { hour12: false });
  }
  function isoDuration(text) {
    const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(text || "");
    if (!m) return 2000;
    return ((+m[1] || 0) * 3600 + (+m[2] || 0) * 60 + (+m[3] || 0)) * 1000;
  }
  function tone(st) {
    switch (st) {
      case "streaming": case "running": case "up": return "ok";
      case "snapshotting": case "replaying": case "starting": case "catching-up": return "info";
      case "paused": case "stopped": case "stale": return "warn";
      case "failed": case "down": return "bad";
      default: return "muted";
    }
  }
  const pill = (text) => el("span", { class: "pill pill-" + tone(text), text: text || "–" });
  const none = (text) => el("span", { class: "none", text: text || "–" });

  // ---- sparklines over the client's own history of each series
  function record(key, value, at) {
    if (value === null || value === undefined || value < 0) return;
    let series = state.history.get(key);
    if (!series) state.history.set(key, (series = []));
    const last = series[series.length - 1];
    if (last && last.t === at) return;
    series.push({ t: at, v: value });
    while (series.length && series[0].t < at - HISTORY_MS) series.shift();
  }
  function spark(key, cls, w, h) {
    const series = state.history.get(key) || [];
    const svgNs = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(svgNs, "svg");
    svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
    svg.setAttribute("preserveAspectRatio", "none");
    const color = { ok: "#34d399", warn: "#fbbf24", bad: "#f87171", info: "#38bdf8" }[cls] || "#38bdf8";
    const base = document.createElementNS(svgNs, "line");
    base.setAttribute("x1", 0); base.setAttribute("x2", w); base.setAttribute("y1", h - 0.5); base.setAttribute("y2", h - 0.5);
    base.setAttribute("stroke", "#263040"); base.setAttribute("stroke-width", "1");
    svg.append(base);
    if (series.length < 2) return svg;
    const t1 = series[series.length - 1].t, t0 = Math.min(series[0].t, t1 - 20 * state.pollMs);
    const max = Math.max(...series.map((p) => p.v), 1e-9);
    const pts = series.map((p) => [((p.t - t0) / (t1 - t0)) * w, h - 2 - (p.v / max) * (h - 4)]);
    const line = pts.map((p, i) => (i ? "L" : "M") + p[0].toFixed(1) + " " + p[1].toFixed(1)).join(" ");
    const area = document.createElementNS(svgNs, "path");
    area.setAttribute("d", line + ` L${pts[pts.length - 1][0].toFixed(1)} ${h} L${pts[0][0].toFixed(1)} ${h} Z`);
    area.setAttribute("fill", color); area.setAttribute("fill-opacity", "0.14");
    const path = document.createElementNS(svgNs, "path");
    path.setAttribute("d", line); path.setAttribute("fill", "none"); path.setAttribute("stroke", color);
    path.setAttribute("stroke-width", "1.5"); path.setAttribute("vector-effect", "non-scaling-stroke");
    svg.append(area, path);
    return svg;
  }

  // ---- rendering
  function kv(target, pairs) {
    target.replaceChildren();
    for (const [k, v, cls] of pairs) {
      target.append(el("dt", { text: k }), el("dd", { class: cls || null }, v === null || v === undefined ? none() : v));
    }
  }
  function renderPipeline(s, at) {
    const c = s.pipeline.capture, j = s.pipeline.journal;
    const capState = $("capture-state");
    capState.className = "pill pill-" + tone(c.state);
    capState.textContent = c.state;
    const pairs = [
      ["PostgreSQL", c.sourceVersion || null],
      ["Slot", el("span", { class: "mono", text: c.slot || "–" })],
      ["Publication", el("span", { class: "mono", text: c.publication || "–" })],
      ["Tables", num(c.tables)],
      ["Confirmed LSN", el("span", { class: "mono", text: c.confirmedLsn || "–" })],
      ["WAL retained", bytes(c.walRetainedBytes)],
      ["Last LSN", el("span", { class: "mono", text: c.lastLsn || "–" })],
      ["Changes", num(c.eventsTotal)],
      ["Last commit", c.lastCommitTime ? el("span", { title: c.lastCommitTime, text: ago(c.lastCommitTime) }) : null],
      ["Duplicates dropped", num(c.duplicatesDropped)],
      ["Started", c.startedAt ? el("span", { title: c.startedAt, text: ago(c.startedAt) }) : null]
    ];
    if (c.tablesPendingSnapshot && c.tablesPendingSnapshot.length) {
      pairs.push(["Tables being read", el("span", { class: "mono", text: c.tablesPendingSnapshot.join(", ") })]);
    }
    if (c.warning) pairs.push(["Warning", c.warning, "error"]);
    if (c.lastError) pairs.push(["Last error", c.lastError, "error"]);
    kv($("capture"), pairs);
    record("capture.rate", c.eventsPerSecond, at);
    record("capture.wal", c.walRetainedBytes, at);
    $("rate").textContent = num(c.eventsPerSecond, c.eventsPerSecond < 10 ? 1 : 0);
    $("rate-spark").replaceChildren(spark("capture.rate", "info", 300, 46));
    $("rate-sub").textContent = "WAL retained on the source: " + bytes(c.walRetainedBytes);
    kv($("journal"), [
      ["Directory", el("span", { class: "mono", title: j.dir, text: j.dir || "–" })],
      ["First", el("span", { class: "mono", text: j.firstPosition || "empty" })],
      ["Last", el("span", { class: "mono", text: j.lastPosition || "empty" })],
      ["Size", bytes(j.sizeBytes)],
      ["Days", num(j.days)],
      ["Retention", j.retention || "–"]
    ]);
  }
  function lagTone(rule) {
    if (rule.state === "failed") return "bad";
    if (rule.lagSeconds >= 60) return "bad";
    if (rule.lagSeconds >= 5) return "warn";
    return "ok";
  }
  function renderRules(s, at) {
    const body = $("rules").querySelector("tbody");
    body.replaceChildren();
    $("rules-count").textContent = s.rules.length ? String(s.rules.length) : "";
    $("rules-empty").hidden = s.rules.length > 0;
    $("rules").hidden = s.rules.length === 0;
    for (const r of s.rules) {
      record("rule.lag." + r.name, r.lagSeconds, at);
      const t = lagTone(r);
      // only the operations that happened; rows copied by a snapshot ("read") show as "snap"
      const ops = Object.entries(r.totalsByOp || {}).filter(([, n]) => n > 0);
      const sync = r.lastSyncKind
        ? el("span", { title: (r.lastSyncStart || "") + " → " + (r.lastSyncFinish || "running") },
            r.lastSyncKind + " ", el("span", { class: "dim", text: r.lastSyncFinish ? "done " + ago(r.lastSyncFinish) : "running since " + ago(r.lastSyncStart) }))
        : none("never");
      body.append(el("tr", { class: "rule" + (r.lastError ? " has-error" : ""), "data-rule": r.name },
        el("td", {}, el("div", { class: "name", text: r.name }),
          el("div", { class: "dim", text: "→ " + r.target + " · " + (r.dialect || "?") + " · " + r.mode })),
        el("td", {}, pill(r.state)),
        el("td", { class: "num lag" },
          el("div", { class: "lag-value " + t, text: seconds(r.lagSeconds) }),
          el("div", { class: "dim", text: num(r.lagChanges) + " changes · " + bytes(r.lagBytes) })),
        el("td", { class: "spark", title: "lag over the last minutes" }, spark("rule.lag." + r.name, t, 120, 28)),
        el("td", { class: "num", text: num(r.ratePerSecond, r.ratePerSecond < 10 ? 1 : 0) + "/s" }),
        el("td", {}, el("div", { class: "mono", text: r.appliedPosition || "–" }),
          el("div", { class: "dim mono", text: r.appliedLsn ? "lsn " + r.appliedLsn : "" })),
        el("td", {}, ops.length
          ? el("span", { class: "ops" }, ops.map(([op, n]) => el("span", { title: num(n) + (op === "read" ? " snapshot rows" : " " + op + "s") + " applied" }, (op === "read" ? "snap" : op.slice(0, 3)) + " ", el("b", { text: compact(n) }))))
          : none("none yet"),
          r.deadLetters > 0 ? el("div", { class: "dead-letters", title: "changes the target refused, written to the rule's dead-letter file (onError: skip)", text: num(r.deadLetters) + " dead-lettered" }) : null,
          r.mode === "bidirectional" ? el("div", { class: "conflicts dim", title: "changes dropped because the peer's row was newer (last update wins), by table: " + Object.entries(r.conflicts || {}).map(([t, n]) => t + " " + num(n)).join(", "), text: num(Object.values(r.conflicts || {}).reduce((a, b) => a + b, 0)) + " conflicts" }) : null),
        el("td", {}, sync)));
      if (r.lastError) {
        body.append(el("tr", { class: "rule-error", "data-rule": r.name },
          el("td", { colspan: "8" }, el("div", { class: "err-line", title: r.lastError }, el("b", { text: "last error " }), r.lastError))));
      }
    }
  }
  function renderReplicas(s, at) {
    const target = $("replicas");
    target.replaceChildren();
    $("replicas-count").textContent = s.replicas.length ? String(s.replicas.length) : "";
    $("replicas-empty").hidden = s.replicas.length > 0;
    for (const g of s.replicas) {
      const fresh = g.nodes.filter((n) => n.role === "slave" && n.state === "up").map((n) => n.name);
      const rows = g.nodes.map((n) => {
        const key = "replica.lag." + g.group + "/" + n.name;
        record(key, n.lagBytes, at);
        const used = n.poolMax > 0 ? n.poolActive / n.poolMax : 0;
        return el("tr", { class: "node", "data-node": n.name },
          el("td", {}, el("span", { class: "name", text: n.name }), g.readNode === n.name ? el("span", { class: "reads", text: "◀ reads" }) : null,
            el("div", { class: "dim mono", text: (n.host || "?") + ":" + (n.port || "?") + "/" + (n.database || "") })),
          el("td", {}, el("span", { class: "role role-" + n.role, text: n.role })),
          el("td", { class: "dim", text: n.dialect || "–" }),
          el("td", {}, pill(n.state)),
          el("td", { class: "num" }, el("div", { class: "lag-value " + (n.state === "up" ? "ok" : tone(n.state)), text: n.role === "master" ? "—" : bytes(n.lagBytes) }),
            el("div", { class: "dim", text: n.role === "master" ? "master" : n.lagMillis >= 0 ? seconds(n.lagMillis / 1000) + " behind" : "" })),
          el("td", { class: "spark" }, n.role === "master" ? null : spark(key, tone(n.state), 130, 28)),
          el("td", {}, n.poolMax > 0
            ? el("span", { class: "pool" }, el("span", { class: "bar" }, el("i", { class: used > 0.8 ? "hot" : null, style: "width:" + Math.round(used * 100) + "%" })),
                n.poolActive + "/" + n.poolMax, el("span", { class: "dim", text: n.poolIdle + " idle" }))
            : none()),
          el("td", { class: "dim" }, n.fedBy ? "fed by " + n.fedBy : n.role === "slave" ? "streaming" : ""),
          el("td", { class: "dim", title: n.lastProbe || "" }, n.lastProbe ? "probed " + ago(n.lastProbe) : "never probed",
            n.lastError ? el("div", { class: "err", title: n.lastError, text: n.lastError }) : null));
      });
      target.append(el("div", { class: "group", "data-group": g.group },
        el("div", { class: "group-head" },
          el("span", { class: "name", text: g.group }),
          el("span", { class: "pill pill-muted", text: g.routing }),
          el("span", { class: "route" }, "reads → ", el("b", { text: g.readNode || "none" }), g.readReason ? " (" + g.readReason + ")" : ""),
          el("span", { class: "dim", text: "fresh: " + (fresh.length ? fresh.join(", ") : "none") })),
        el("table", { class: "grid" },
          el("thead", {}, el("tr", {}, ["Node", "Role", "Dialect", "State", "Lag", "Last minutes", "Pool", "Feed", "Probe"].map((h) => el("th", { class: h === "Lag" ? "num" : null, text: h })))),
          el("tbody", {}, rows))));
    }
  }
  function renderHealth(s) {
    const h = $("health");
    h.className = "pill " + (s.health.ok ? "pill-ok" : "pill-bad");
    h.textContent = s.health.ok ? "healthy" : "failing";
    h.title = s.health.reasons.join("\n");
    const why = $("health-why");
    why.textContent = s.health.ok ? "" : s.health.reasons[0] + (s.health.reasons.length > 1 ? " (+" + (s.health.reasons.length - 1) + " more)" : "");
    why.title = s.health.reasons.join("\n");
  }
  function render(s) {
    const at = Date.parse(s.takenAt) || Date.now();
    renderHealth(s);
    renderPipeline(s, at);
    renderRules(s, at);
    renderReplicas(s, at);
  }

  // ---- the effective configuration (GET /api/config: served by a running sidecar only)
  const CONFIG_EVENTS = new Set(["config.reloaded", "rule.added", "rule.removed", "replica.added", "replica.removed", "routing.changed"]);
  function renderConfig(c) {
    $("config-panel").hidden = false;
    const st = $("config-state");
    st.className = "pill pill-" + (c.differsFromFile ? "warn" : "ok");
    st.textContent = c.differsFromFile ? "differs from the file" : "as in the file";
    $("config-note").textContent = c.fileProblems && c.fileProblems.length
      ? "The file " + (c.file || "") + " has problems (" + c.fileProblems.join("; ") + "); the sidecar runs with the configuration below."
      : c.differsFromFile
        ? "Changed at run time (through the API), or " + (c.file || "the file") + " was edited and not reloaded: a reload of the file replaces run-time changes. Secrets are masked."
        : "What " + (c.file || "the file") + " says. Secrets are masked.";
    $("config").textContent = c.effective || "";
  }
  async function pollConfig() {
    try {
      const response = await fetch(url("/api/config"), { cache: "no-store" });
      if (response.ok) renderConfig(await response.json());
      else if (response.status === 404) $("config-panel").hidden = true; // a dashboard from a state file
    } catch (e) {
      // the snapshot's poll reports the connection
    }
  }

  // ---- freshness and connection
  function renderFreshness() {
    const f = $("freshness");
    const text = $("freshness-text");
    const banner = $("banner");
    const pollText = "polling every " + seconds(state.pollMs / 1000).replace(/\.0 s$/, " s");
    if (state.problem) {
      f.className = "freshness lost";
      document.body.classList.add("disconnected");
      banner.hidden = false;
      const since = state.lostSince ? " since " + new Date(state.lostSince).toLocaleTimeString("en-GB", { hour12: false }) : "";
      banner.textContent = state.problem + since + (state.lastOk ? "; the figures below are from " + seconds((Date.now() - state.lastOk) / 1000) + " ago" : "") + ". Retrying…";
      text.textContent = "connection lost · " + pollText;
      return;
    }
    document.body.classList.remove("disconnected");
    banner.hidden = true;
    if (!state.lastOk) return;
    f.className = "freshness live";
    let note = "";
    if (state.snapshot) {
      const age = (Date.now() - Date.parse(state.snapshot.takenAt)) / 1000;
      if (age > Math.max(10, 3 * state.pollMs / 1000)) note = " · figures taken " + seconds(age) + " ago";
    }
    text.textContent = "updated " + seconds((Date.now() - state.lastOk) / 1000) + " ago · " + pollText + note;
  }
  function lost(problem) {
    if (!state.problem) state.lostSince = Date.now();
    state.problem = problem;
    renderFreshness();
  }

  async function poll() {
    state.lastTry = Date.now();
    try {
      const response = await fetch(url("/api/snapshot"), { cache: "no-store" });
      if (response.status === 401) {
        lost(token ? "The token was refused (401)" : "This sidecar needs a token: open the page as /?token=YOUR_TOKEN");
      } else if (!response.ok) {
        lost("The sidecar answered " + response.status);
      } else {
        const s = await response.json();
        state.snapshot = s;
        state.pollMs = isoDuration(s.poll);
        state.lastOk = Date.now();
        state.problem = null;
        render(s);
        renderFreshness();
      }
    } catch (e) {
      lost("Connection to the sidecar lost");
    }
    setTimeout(poll, state.pollMs);
  }

  // ---- activity feed
  function typeClass(type) {
    const head = type.split(".")[0];
    return "t-" + (type.endsWith(".error") || type === "error" ? "error" : head);
  }
  function addEvent(e, fresh) {
    if (e.id <= state.lastEventId) return;
    state.lastEventId = e.id;
    const list = $("events");
    list.prepend(el("li", { class: "event" + (fresh ? " fresh" : ""), "data-type": e.type, "data-id": String(e.id) },
      el("time", { datetime: e.time, title: e.time, text: clock(e.time) }),
      el("div", { class: "what" }, el("span", { class: "type " + typeClass(e.type), text: e.type }), el("span", { class: "subject", text: e.subject })),
      el("div", { class: "msg", text: e.message })));
    while (list.children.length > MAX_EVENTS) list.lastChild.remove();
    $("events-empty").hidden = true;
  }
  function streamState(text, cls) {
    const s = $("stream-state");
    s.textContent = text;
    s.className = "pill pill-" + cls;
  }
  async function startFeed() {
    try {
      const response = await fetch(url("/api/events?limit=200"), { cache: "no-store" });
      if (response.ok) {
        const body = await response.json();
        for (const e of body.events) addEvent(e, false);
      }
    } catch (e) {
      // the stream below reports the connection
    }
    const source = new EventSource(url("/api/stream?after=" + state.lastEventId));
    state.stream = source;
    source.addEventListener("open", () => streamState("live", "ok"));
    source.addEventListener("activity", (m) => {
      const e = JSON.parse(m.data);
      addEvent(e, true);
      if (CONFIG_EVENTS.has(e.type)) pollConfig();
    });
    source.addEventListener("error", () => {
      streamState("reconnecting", "bad");
      if (source.readyState === EventSource.CLOSED) setTimeout(startFeed, 3000);
    });
  }

  const origin = document.body.dataset.origin;
  $("origin").textContent = origin === "live" ? "" : origin;
  setInterval(renderFreshness, 250);
  poll();
  startFeed();
  pollConfig();
  setInterval(pollConfig, 10000);
})();
