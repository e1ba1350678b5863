// charts.js draws a waiter-sim report's charts with uPlot (inlined before
// this script) from window.waiterReport, which the Go writer fills: for
// each plot its x values, its one y axis and unit, the series, reference
// lines (limits, assertion bounds) and shaded bands (faults, load changes,
// panic mode). What to draw is decided in Go; this script only draws it,
// links the time charts of a page (one crosshair, one zoom) and lists the
// charts in window.waiterCharts for the browser tests.
(function () {
  "use strict";

  var HEIGHT = 300;
  // LABEL_ROW is the height of a row of band labels above the plot, in
  // CSS pixels; labelRows is how many rows a chart keeps for them.
  var LABEL_ROW = 14;
  function labelRows(p) {
    var seen = {}, n = 0;
    (p.bands || []).forEach(function (bd) { if (!seen[bd.label]) { seen[bd.label] = true; n++; } });
    return Math.min(n, 3);
  }

  var bandFill = { fault: "rgba(213, 94, 0, 0.13)", load: "rgba(0, 114, 178, 0.09)", panic: "rgba(230, 159, 0, 0.25)" };
  var bandInk = { fault: "rgb(160, 60, 0)", load: "rgb(0, 84, 140)", panic: "rgb(150, 100, 0)" };
  var refInk = { limit: "#b00020", assertion: "#6a3d9a" };

  // Seconds as the scenarios write durations: 90 -> 1m30s.
  function fmtClock(sec) {
    var s = Math.round(Math.abs(sec));
    if (s === 0) return "0";
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), x = s % 60;
    return (sec < 0 ? "-" : "") + (h ? h + "h" : "") + (m ? m + "m" : "") + (x ? x + "s" : "");
  }

  function trimmed(v, digits) { return String(+v.toFixed(digits)); }

  // A value for a legend or an axis: 1,234, 15.2k, 1.5M, 0.25.
  function fmtNum(v) {
    if (v == null || !isFinite(v)) return "–";
    var a = Math.abs(v);
    if (a >= 1e6) return trimmed(v / 1e6, 2) + "M";
    if (a >= 1e4) return trimmed(v / 1e3, 1) + "k";
    if (a >= 100) return Math.round(v).toLocaleString("en-US");
    if (a >= 1) return trimmed(v, 2);
    return trimmed(v, 3);
  }

  // An axis label: compact, 1.5k rather than 1,500.
  function fmtTick(v) {
    if (v == null) return ""; // a split uPlot filtered out
    var a = Math.abs(v);
    if (a >= 1e6) return trimmed(v / 1e6, 2) + "M";
    if (a >= 1e3) return trimmed(v / 1e3, 2) + "k";
    return trimmed(v, 3);
  }

  // logSplits puts a log axis's ticks at 1, 2 and 5 times each power of
  // ten in range (uPlot's default, every integer multiple, crowds the grid).
  function logSplits(u, axisIdx, min, max) {
    var out = [];
    for (var e = Math.floor(Math.log10(min)); Math.pow(10, e) <= max; e++) {
      [1, 2, 5].forEach(function (m) {
        var v = m * Math.pow(10, e);
        if (v >= min * 0.999 && v <= max * 1.001) out.push(+v.toPrecision(6));
      });
    }
    return out;
  }

  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16 & 255) + ", " + (n >> 8 & 255) + ", " + (n & 255) + ", " + alpha + ")";
  }

  // Time-axis steps that read well as clock offsets.
  var clockIncrs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400,
    172800, 604800];

  function font(px) { return Math.round(px * uPlot.pxRatio) + "px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"; }

  // bandsUnder shades the bands' spans before the grid and the series are
  // drawn, so the series stay on top.
  function bandsUnder(p) {
    return function (u) {
      var ctx = u.ctx, b = u.bbox, px = uPlot.pxRatio;
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, b.top, b.width, b.height);
      ctx.clip();
      (p.bands || []).forEach(function (bd) {
        if (!(bd.to > bd.from)) return;
        var x0 = u.valToPos(bd.from, "x", true), x1 = u.valToPos(bd.to, "x", true);
        ctx.fillStyle = bd.color ? rgba(bd.color, 0.16) : bandFill[bd.kind];
        ctx.fillRect(x0, b.top, Math.max(x1 - x0, px), b.height);
      });
      ctx.restore();
    };
  }

  // marksOver draws what goes on top of the series: instants as vertical
  // lines, the bands' labels in rows along the top, the reference lines
  // with their labels, and a scatter's point labels.
  function marksOver(p) {
    return function (u) {
      var ctx = u.ctx, b = u.bbox, px = uPlot.pxRatio;
      // Band labels go in the rows above the plot (labelRows), clipped
      // to the plot's width; each distinct label once (panic mode may
      // come and go many times), in the first row where it fits, moved
      // left where it would run past the right edge.
      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, 0, b.width, b.top + b.height);
      ctx.clip();
      ctx.font = font(11);
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      var rows = [], seen = {};
      (p.bands || []).forEach(function (bd) {
        var ink = bd.color || bandInk[bd.kind];
        var x0 = u.valToPos(bd.from, "x", true);
        if (!(bd.to > bd.from) && x0 >= b.left && x0 <= b.left + b.width) {
          ctx.strokeStyle = ink;
          ctx.lineWidth = px;
          ctx.setLineDash([3 * px, 3 * px]);
          ctx.beginPath();
          ctx.moveTo(Math.round(x0) + 0.5, b.top);
          ctx.lineTo(Math.round(x0) + 0.5, b.top + b.height);
          ctx.stroke();
        }
        if (seen[bd.label] || x0 > b.left + b.width || u.valToPos(bd.to, "x", true) < b.left) return;
        seen[bd.label] = true;
        var w = ctx.measureText(bd.label).width;
        var x = Math.min(Math.max(x0, b.left) + 3 * px, b.left + b.width - w - 3 * px);
        var row = 0;
        while (row < rows.length && rows[row] > x) row++;
        rows[row] = x + w + 8 * px;
        ctx.fillStyle = ink;
        ctx.fillText(bd.label, Math.max(x, b.left), (4 + row * LABEL_ROW) * px);
      });
      ctx.restore();

      ctx.save();
      ctx.beginPath();
      ctx.rect(b.left, b.top, b.width, b.height);
      ctx.clip();
      ctx.font = font(11);

      // Reference lines at one value share one line and one label.
      var byValue = {};
      (p.refs || []).forEach(function (r) {
        var k = String(r.value);
        if (!byValue[k]) byValue[k] = { value: r.value, kind: r.kind, labels: [] };
        byValue[k].labels.push(r.label);
        if (r.kind === "limit") byValue[k].kind = "limit";
      });
      ctx.textAlign = "right";
      ctx.textBaseline = "bottom";
      Object.keys(byValue).forEach(function (k) {
        var r = byValue[k], y = Math.round(u.valToPos(r.value, "y", true)) + 0.5;
        if (y < b.top || y > b.top + b.height) return;
        ctx.strokeStyle = ctx.fillStyle = refInk[r.kind];
        ctx.lineWidth = px;
        ctx.setLineDash([6 * px, 4 * px]);
        ctx.beginPath();
        ctx.moveTo(b.left, y);
        ctx.lineTo(b.left + b.width, y);
        ctx.stroke();
        ctx.fillText(r.labels.join(" · "), b.left + b.width - 4 * px, y - 2 * px);
      });

      if (p.point_labels) {
        // Beside each point of the last series (the one with a value at
        // every x), to the right, or to the left near the right edge.
        ctx.fillStyle = "#333";
        ctx.textBaseline = "middle";
        var xs = u.data[0], ys = u.data[u.data.length - 1];
        p.point_labels.forEach(function (label, i) {
          if (ys[i] == null) return;
          var x = u.valToPos(xs[i], "x", true), y = u.valToPos(ys[i], "y", true);
          var right = x + 10 * px + ctx.measureText(label).width < b.left + b.width;
          ctx.textAlign = right ? "left" : "right";
          ctx.fillText(label, right ? x + 10 * px : x - 10 * px, y);
        });
      }
      ctx.restore();
    };
  }

  // refExtent returns the smallest and largest reference value, so the y
  // range includes the lines the writer chose to show.
  function refExtent(p) {
    var lo = Infinity, hi = -Infinity;
    (p.refs || []).forEach(function (r) { lo = Math.min(lo, r.value); hi = Math.max(hi, r.value); });
    return [lo, hi];
  }

  function yScale(p) {
    var ext = refExtent(p);
    if (p.y.log) {
      return {
        distr: 3, log: 10,
        range: function (u, min, max) {
          var lo = Math.min(min == null ? Infinity : min, ext[0]), hi = Math.max(max == null ? -Infinity : max, ext[1]);
          if (!isFinite(lo) || !isFinite(hi) || lo <= 0) return [1, 10];
          return uPlot.rangeLog(lo, hi, 10, true);
        },
      };
    }
    return {
      range: function (u, min, max) {
        var hi = Math.max(max == null ? 0 : max, ext[1], 0);
        if (!p.x.time) {
          // A scatter: the points' own range, padded, so close runs
          // stay apart.
          var lo = Math.min(min == null ? 0 : min, ext[0]);
          var pad = (hi - lo) * 0.12 || hi * 0.1 || 1;
          return [Math.max(lo - pad, 0), hi + pad];
        }
        return [0, hi > 0 ? hi * 1.1 : 1];
      },
    };
  }

  function xScale(p) {
    if (p.x.time) return { time: false };
    return {
      time: false,
      range: function (u, min, max) {
        var pad = (max - min) * 0.08 || max * 0.1 || 1;
        return [Math.max(min - pad, 0), max + pad];
      },
    };
  }

  // isolated picks the values of a line with a gap on both sides (a
  // trace's lone completions): a line cannot draw them, a dot can.
  function isolated(u, si) {
    var d = u.data[si], out = [];
    for (var i = 0; i < d.length; i++) {
      if (d[i] != null && (i === 0 || d[i - 1] == null) && (i === d.length - 1 || d[i + 1] == null)) out.push(i);
    }
    return out;
  }

  function seriesOpts(p, s) {
    var o = {
      label: s.label,
      stroke: s.color,
      width: s.width,
      spanGaps: s.span_gaps,
      value: function (u, v) { return v == null ? "–" : fmtNum(v) + " " + p.y.unit; },
    };
    if (s.dash) o.dash = s.dash;
    if (!s.line) o.paths = function () { return null; };
    o.points = s.points ? { show: true, size: s.point_size || 8, width: s.hollow ? 2 : 1, stroke: s.color,
      fill: s.hollow ? "rgba(255, 255, 255, 0)" : s.color }
      : { show: true, size: 5, width: 1, stroke: s.color, fill: s.color, filter: isolated };
    return o;
  }

  function options(p, width) {
    var x = {
      label: p.x.label,
      value: p.x.time ? function (u, v) { return v == null ? "–" : fmtClock(v); }
        : function (u, v, si, i) { return i == null ? "–" : p.point_labels[i] + ", " + fmtNum(v) + " " + p.x.label; },
    };
    var yAxis = { scale: "y", label: p.y.label, size: 60, values: function (u, splits) { return splits.map(fmtTick); } };
    if (p.y.log) yAxis.splits = logSplits;
    var xAxisOpts = { scale: "x", label: p.x.label, space: 60,
      values: function (u, splits) { return splits.map(p.x.time ? fmtClock : fmtTick); } };
    if (p.x.time) xAxisOpts.incrs = clockIncrs;
    return {
      width: width,
      height: HEIGHT,
      padding: [10 + labelRows(p) * LABEL_ROW, 16, 0, 0],
      scales: { x: xScale(p), y: yScale(p) },
      axes: [xAxisOpts, yAxis],
      series: [x].concat(p.series.map(function (s) { return seriesOpts(p, s); })),
      cursor: p.x.time ? { sync: { key: "waiter-time", setSeries: false }, drag: { x: true, y: false } } : { drag: { x: true, y: false } },
      legend: { live: true },
      hooks: { drawClear: [bandsUnder(p)], draw: [marksOver(p)] },
    };
  }

  var charts = [];
  window.waiterCharts = charts;
  window.waiterReport.plots.forEach(function (p) {
    var el = document.getElementById("plot-" + p.id);
    if (!el) throw new Error("report: no element for chart " + p.id);
    var data = [p.x.values].concat(p.series.map(function (s) { return s.values; }));
    var u = new uPlot(options(p, el.clientWidth || 900), data, el);
    charts.push({ id: p.id, title: p.title, plot: u, el: el });
  });

  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      charts.forEach(function (c) { c.plot.setSize({ width: c.el.clientWidth, height: HEIGHT }); });
    });
  });
})();
