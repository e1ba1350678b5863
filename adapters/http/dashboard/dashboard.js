// Waiter dashboard: polls /dashboard/data every POLL_MS and renders it.
// Plain JavaScript, no build step; charts by uPlot. Everything from the
// router (service names, messages, token names) is set as text, never as
// HTML, and the page's Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  const POLL_MS = 2000;
  const HOUR = 3600;
  const DATA_URL = "dashboard/data";

  const state = {
    selected: selectedFromHash(), // service id whose detail is shown
    charts: {}, // container id -> uPlot
    now: Date.now() / 1000, // the router's clock, from the last answer
    timer: 0,
    polls: 0,
  };

  // ---- small DOM helpers -------------------------------------------------

  const $ = (id) => document.getElementById(id);

  // el builds an element: attrs are properties or data-*/class/title
  // attributes; children are nodes or strings (set as text).
  function el(tag, attrs, ...children) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") n.className = v;
      else if (k.startsWith("data-") || k === "title") n.setAttribute(k, v);
      else n[k] = v;
    }
    for (const c of children.flat()) {
      if (c === undefined || c === null || c === false) continue;
      n.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return n;
  }

  function text(id, value) {
    $(id).textContent = value;
  }

  function num(n, cls) {
    return el("td", { class: "num " + (cls || "") + (n === 0 ? " zero" : "") }, String(n));
  }

  // ago renders an RFC 3339 time relative to the router's clock.
  function ago(iso) {
    if (!iso) return "—";
    const s = Math.max(0, Math.round(state.now - Date.parse(iso) / 1000));
    if (s < 60) return s + " s ago";
    if (s < HOUR) return Math.floor(s / 60) + " min ago";
    if (s < 48 * HOUR) return Math.floor(s / HOUR) + " h " + Math.floor((s % HOUR) / 60) + " min ago";
    return Math.floor(s / 86400) + " days ago";
  }

  function timeCell(iso) {
    return el("td", { title: iso || "" }, ago(iso));
  }

  function selectedFromHash() {
    return new URLSearchParams(location.hash.slice(1)).get("service") || "";
  }

  // ---- charts ------------------------------------------------------------

  // Instances (counts of instances) and requests have an axis each: one
  // unit per axis. The x axis always spans the last hour of the router's
  // clock, so a young service's line starts where its history starts.
  function chartOptions(width) {
    const stepped = uPlot.paths.stepped({ align: 1 });
    const line = (label, scale, stroke, extra) =>
      Object.assign({ label: label, scale: scale, stroke: stroke, width: 1.5, points: { show: false } }, extra);
    const counts = (u, splits) => splits.map((v) => (Number.isInteger(v) ? String(v) : ""));
    const intIncrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
    const upTo = (u, min, max) => [0, Math.max(1, Math.ceil((max || 0) * 1.15))];
    return {
      width: width,
      height: 240,
      cursor: { drag: { x: true, y: false } },
      scales: {
        x: { time: true, range: (u, min) => [xStart(min), state.now] },
        instances: { range: upTo },
        requests: { range: upTo },
      },
      axes: [
        { space: 80 }, // room for a time label and the date under it
        { scale: "instances", label: "instances", values: counts, incrs: intIncrs, size: 50 },
        { scale: "requests", label: "requests", side: 1, values: counts, incrs: intIncrs, size: 50, grid: { show: false } },
      ],
      series: [
        {},
        line("requested", "instances", "#2f6fdb", { width: 2, paths: stepped }),
        line("desired", "instances", "#7c3aed", { dash: [6, 4], paths: stepped }),
        line("healthy", "instances", "#1f8a4c", { width: 2, fill: "rgba(31,138,76,0.10)", paths: stepped }),
        line("outstanding requests", "requests", "#b7791f"),
        line("queued requests", "requests", "#c53030", { dash: [2, 3] }),
      ],
    };
  }

  // xStart is where the time axis begins: an hour ago, or where the
  // history begins when it is younger (but showing at least MIN_SPAN), so
  // a router that started a minute ago does not draw a sliver at the edge.
  const MIN_SPAN = 120;
  function xStart(first) {
    const start = first == null ? state.now : Math.min(first, state.now - MIN_SPAN);
    return Math.max(state.now - HOUR, start);
  }

  // showLatest puts the newest values in the legend while the cursor is
  // not over the chart.
  function showLatest(chart) {
    const n = chart.data[0].length;
    if (n > 0 && chart.cursor.left < 0) chart.setLegend({ idx: n - 1 });
  }

  function columns(h) {
    return [h.time, h.requested, h.desired, h.healthy, h.outstanding, h.waiting];
  }

  function drawChart(id, history) {
    const box = $(id);
    const data = columns(history);
    box.setAttribute("data-points", String(history.time.length));
    let chart = state.charts[id];
    if (!chart) {
      chart = new uPlot(chartOptions(Math.max(300, box.clientWidth)), data, box);
      state.charts[id] = chart;
    } else {
      chart.setData(data);
    }
    showLatest(chart);
  }

  function resizeCharts() {
    for (const [id, chart] of Object.entries(state.charts)) {
      const w = $(id).clientWidth;
      if (w > 0 && w !== chart.width) chart.setSize({ width: Math.max(300, w), height: 240 });
    }
  }

  // ---- rendering -----------------------------------------------------------

  function render(d) {
    state.now = Date.parse(d.router.now) / 1000;
    const r = d.router;
    text("router-name", "router " + r.id + " · " + r.version + (r.cluster && r.cluster !== r.id ? " · cluster " + r.cluster : ""));
    renderCards(d.totals);
    drawChart("totals-chart", d.history);
    renderServices(d.services);
    renderDetail(d.service);
    renderDeploymentErrors(d["deployment-errors"]);
    renderTokens(d.tokens, d["tokens-error"]);
    renderRouters(d.routers);
  }

  function renderCards(t) {
    text("card-services", String(t.services));
    text("card-services-sub", t.running + " running · " + t.starting + " starting · " + t.inactive + " inactive");
    text("card-healthy", String(t["healthy-instances"]));
    text("card-healthy-sub", t["requested-instances"] + " requested · " + t["desired-instances"] + " desired");
    text("card-outstanding", String(t["outstanding-requests"]));
    text("card-outstanding-sub", t["waiting-requests"] + " queued for an instance");
    text("card-failing", String(t.failing));
    text("card-failing-sub", t.failing ? "see the deployment errors below" : "no deployment errors");
    $("card-failing").parentElement.classList.toggle("bad", t.failing > 0);
  }

  function statusBadge(status, suspended) {
    return [el("span", { class: "badge " + status }, status), suspended && el("span", { class: "badge suspended" }, "suspended")];
  }

  function scaling(s) {
    const arrows = { "scale-up": "▲ up", "scale-down": "▼ down", stable: "stable" };
    const title = s.policy ? s.policy + " policy" : "";
    return el("td", { class: s["scaling-state"], title: title }, arrows[s["scaling-state"]] || s["scaling-state"] || "—");
  }

  function instancesCell(s) {
    const held = s.desired !== s.requested ? " (" + s.desired + " desired)" : "";
    return el("td", { class: "num", title: s.scheduled + " scheduled" }, s.healthy + " / " + s.requested + held);
  }

  // replaceRows swaps a table body's rows for the new ones but keeps every
  // old row that would be rendered identically, so a row under the user's
  // mouse is not replaced between the press and the release of a click
  // (the click would be lost) and an unchanged table does not flicker.
  function replaceRows(tbody, rows) {
    const old = new Map();
    for (const tr of tbody.rows) old.set(tr.outerHTML, tr);
    tbody.replaceChildren(...rows.map((tr) => old.get(tr.outerHTML) || tr));
  }

  function renderServices(list) {
    if (!list.some((s) => s.id === state.selected)) {
      state.selected = list.length ? list[0].id : ""; // the first (problems come first) until one is picked
    }
    const rows = list.map((s) =>
      el("tr", { "data-service-id": s.id, class: s.id === state.selected ? "selected" : "" },
        el("td", {}, el("span", { class: "svc-name" }, s.name || "(no name)"), el("span", { class: "svc-id" }, s.id)),
        el("td", {}, statusBadge(s.status, s.suspended)),
        scaling(s),
        instancesCell(s),
        num(s.starting),
        num(s.counters.failed, s.counters.failed ? "alert" : ""),
        num(s.counters.killed),
        num(s.outstanding),
        num(s.waiting, s.waiting ? "alert" : ""),
        num(s.counters["cold-starts"]),
        timeCell(s["last-request-time"]),
        el("td", { class: "wrap" }, s.tokens.length ? s.tokens.join(", ") : el("span", { class: "muted" }, "—"))));
    replaceRows($("services").tBodies[0], rows);
    $("services-empty").hidden = list.length > 0;
  }

  function fact(label, value) {
    return el("div", {}, el("dt", {}, label), el("dd", {}, value === undefined || value === "" ? "—" : String(value)));
  }

  function renderDetail(s) {
    const box = $("detail");
    if (!s || s.id !== state.selected) {
      box.hidden = !state.selected; // the next poll brings the selected service's detail
      return;
    }
    box.hidden = false;
    text("detail-title", s.name || s.id);
    text("detail-id", s.id);
    const badge = $("detail-status");
    badge.textContent = s.status;
    badge.className = "badge " + s.status;
    $("detail-error").hidden = !s["deployment-error"];
    text("detail-error", s["deployment-error"] ? "Deployment error: " + s["deployment-error"] : "");
    const p = s.parameters || {};
    const c = s.counters;
    $("detail-facts").replaceChildren(
      fact("command", p.cmd),
      fact("version", p.version),
      fact("run as", p["run-as-user"]),
      fact("cpus · mem", (p.cpus ?? "—") + " · " + (p.mem ?? "—") + " MB"),
      fact("instances min–max", (p["min-instances"] ?? "—") + "–" + (p["max-instances"] ?? "—")),
      fact("concurrency", p["concurrency-level"]),
      fact("scaling", (s.policy || p["scaling-policy"] || "—") + " · " + s["scaling-state"]),
      fact("requested · desired · scheduled", s.requested + " · " + s.desired + " · " + s.scheduled),
      fact("requests (total · in flight)", s["total-requests"] + " · " + s["in-flight"]),
      fact("launched · killed · failed", c.launched + " · " + c.killed + " · " + c.failed),
      fact("cold starts", c["cold-starts"]),
      fact("tokens", s.tokens.join(", ")));
    drawChart("service-chart", s.history);
    const rows = [];
    const add = (list, kind) => {
      for (const i of list) {
        let st = kind;
        if (kind === "active") st = i.healthy ? "healthy" : i.starting ? "starting" : "unhealthy";
        const cls = { healthy: "Running", starting: "Starting", unhealthy: "Failing", failed: "Failing", killed: "Inactive" }[st];
        rows.push(el("tr", { "data-instance-id": i.id },
          el("td", { class: "wrap" }, el("code", {}, i.id)),
          el("td", {}, el("span", { class: "badge " + cls }, st)),
          el("td", {}, i.host ? i.host + ":" + i.port : "—"),
          timeCell(i["started-at"]),
          num(i["in-flight"]),
          el("td", {}, i["health-check-status"] ? String(i["health-check-status"]) : "—"),
          el("td", { class: "wrap" }, i.flags.join(", ") || "—"),
          el("td", { class: "wrap" }, i.message || (i["exit-code"] !== undefined ? "exit code " + i["exit-code"] : "—"))));
      }
    };
    add(s["active-instances"], "active");
    add(s["failed-instances"], "failed");
    add(s["killed-instances"], "killed");
    replaceRows($("instances").tBodies[0], rows);
  }

  function renderDeploymentErrors(list) {
    $("deployment-errors").tBodies[0].replaceChildren(...list.map((e) =>
      el("tr", { class: e.until ? "" : "alert-row" },
        el("td", { title: e["service-id"] }, e.name || e["service-id"]),
        el("td", { class: "wrap" + (e.until ? "" : " alert") }, e.message),
        timeCell(e.since),
        e.until ? timeCell(e.until) : el("td", { class: "alert" }, "now"))));
    $("deployment-errors-empty").hidden = list.length > 0;
  }

  function renderTokens(list, err) {
    $("tokens-error").hidden = !err;
    text("tokens-error", err || "");
    $("tokens").tBodies[0].replaceChildren(...list.map((t) =>
      el("tr", {},
        el("td", {}, t.name, t.maintenance && el("span", { class: "badge Starting", title: "requests get the maintenance message" }, " maintenance")),
        el("td", {}, t.owner || "—"),
        el("td", { class: "wrap" }, t.services.length ? String(t.services.length) : el("span", { class: "muted" }, "none")),
        el("td", { title: t["last-update-user"] ? "by " + t["last-update-user"] : "" }, ago(t["last-update-time"])))));
    $("tokens-empty").hidden = list.length > 0;
  }

  function renderRouters(list) {
    $("routers").tBodies[0].replaceChildren(...list.map((r) =>
      el("tr", {},
        el("td", {}, r.id, r.self && el("span", { class: "muted" }, " (this router)")),
        el("td", {}, r.address || "—"),
        el("td", {}, r.version),
        el("td", {}, r.cluster),
        timeCell(r.started),
        el("td", {}, r.leader ? "leader" : "follower"))));
  }

  // ---- polling -------------------------------------------------------------

  function setLive(ok, message) {
    const live = $("live");
    live.dataset.state = ok ? "ok" : "error";
    live.textContent = ok ? "live · " + new Date(state.now * 1000).toLocaleTimeString() : "disconnected";
    const banner = $("banner");
    banner.hidden = ok;
    banner.textContent = ok ? "" : message + " — retrying every " + POLL_MS / 1000 + " s";
  }

  async function errorMessage(resp) {
    try {
      const body = await resp.json();
      if (body && body["waiter-error"] && body["waiter-error"].message) {
        return "The router answered " + resp.status + ": " + body["waiter-error"].message;
      }
    } catch (_) {
      // not JSON: the status says enough
    }
    return "The router answered " + resp.status + " " + resp.statusText;
  }

  async function poll() {
    clearTimeout(state.timer);
    const url = DATA_URL + (state.selected ? "?service=" + encodeURIComponent(state.selected) : "");
    let again = POLL_MS;
    try {
      const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!resp.ok) {
        setLive(false, await errorMessage(resp));
      } else {
        const before = state.selected;
        render(await resp.json());
        state.polls++;
        document.body.setAttribute("data-polls", String(state.polls));
        setLive(true);
        if (state.selected !== before) again = 0; // fetch the newly selected service's detail now
      }
    } catch (e) {
      setLive(false, "The router cannot be reached (" + e.message + ")");
    }
    state.timer = setTimeout(poll, again);
  }

  function select(id) {
    state.selected = id;
    history.replaceState(null, "", "#service=" + encodeURIComponent(id));
    for (const tr of $("services").tBodies[0].rows) tr.classList.toggle("selected", tr.dataset.serviceId === id);
    poll();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("services").tBodies[0].addEventListener("click", (ev) => {
      const tr = ev.target.closest("tr[data-service-id]");
      if (tr) select(tr.dataset.serviceId);
    });
    window.addEventListener("hashchange", () => {
      const id = selectedFromHash();
      if (id && id !== state.selected) select(id);
    });
    let resizing = 0;
    window.addEventListener("resize", () => {
      clearTimeout(resizing);
      resizing = setTimeout(resizeCharts, 150);
    });
    poll();
  });
})();
