// Line charts on a canvas, drawn from metrics records in the browser (no library).
'use strict';
const Charts = (() => {
  const COLORS = ['#2f6fde', '#e67e22', '#27ae60', '#8e44ad', '#c0392b', '#16a085', '#7f8c8d', '#d35400'];

  function niceStep(range, ticks) {
    const raw = range / Math.max(1, ticks);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    return (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  }

  function fmt(v) {
    if (v === 0) return '0';
    const a = Math.abs(v);
    if (a >= 1000 || a < 0.001) return v.toExponential(1);
    return parseFloat(v.toPrecision(3)).toString();
  }

  /**
   * series: [{name, points: [[x, y], ...]}]; options: {title, xLabel, log}.
   * Redraws the whole chart; cheap for the few thousand points a run logs.
   */
  function line(canvas, series, options = {}) {
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || 600, height = canvas.clientHeight || 260;
    canvas.width = width * ratio;
    canvas.height = height * ratio;
    const g = canvas.getContext('2d');
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    g.font = '12px system-ui, sans-serif';
    const shown = series.filter(s => s.points.length > 0);
    const ty = v => (options.log ? Math.log10(Math.max(v, 1e-12)) : v);
    let xs = [], ys = [];
    shown.forEach(s => s.points.forEach(([x, y]) => { if (Number.isFinite(y)) { xs.push(x); ys.push(ty(y)); } }));
    g.fillStyle = '#1d232a';
    g.fillText(options.title || '', 8, 16);
    if (xs.length === 0) {
      g.fillStyle = '#6a737d';
      g.fillText('no data yet', width / 2 - 30, height / 2);
      canvas.dataset.points = '0';
      return;
    }
    canvas.dataset.points = String(xs.length);
    const left = 56, right = 12, top = 28, bottom = 34;
    let x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
    if (x1 === x0) { x1 = x0 + 1; }
    if (y1 === y0) { y1 = y0 + (Math.abs(y0) || 1) * 0.1; y0 = y0 - (Math.abs(y0) || 1) * 0.1; }
    const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad;
    const px = x => left + (x - x0) / (x1 - x0) * (width - left - right);
    const py = y => top + (1 - (y - y0) / (y1 - y0)) * (height - top - bottom);
    g.strokeStyle = '#dfe3e8'; g.fillStyle = '#6a737d'; g.lineWidth = 1;
    const ys0 = niceStep(y1 - y0, 5);
    for (let v = Math.ceil(y0 / ys0) * ys0; v <= y1; v += ys0) {
      g.beginPath(); g.moveTo(left, py(v)); g.lineTo(width - right, py(v)); g.stroke();
      g.fillText(options.log ? fmt(Math.pow(10, v)) : fmt(v), 4, py(v) + 4);
    }
    const xs0 = Math.max(1, niceStep(x1 - x0, 6)); // steps are whole numbers
    for (let v = Math.ceil(x0 / xs0) * xs0; v <= x1; v += xs0) {
      g.fillText(fmt(v), px(v) - 8, height - bottom + 16);
    }
    g.fillText(options.xLabel || 'step', width - right - 30, height - 6);
    let legendX = left + 140;
    shown.forEach((s, i) => {
      const color = s.color || COLORS[i % COLORS.length];
      g.strokeStyle = color; g.lineWidth = 1.6; g.beginPath();
      let first = true;
      s.points.forEach(([x, y]) => {
        if (!Number.isFinite(y)) return;
        if (first) { g.moveTo(px(x), py(ty(y))); first = false; } else { g.lineTo(px(x), py(ty(y))); }
      });
      g.stroke();
      if (s.points.length === 1) { g.fillStyle = color; g.fillRect(px(s.points[0][0]) - 2, py(ty(s.points[0][1])) - 2, 4, 4); }
      g.fillStyle = color; g.fillRect(legendX, 8, 12, 3); g.fillStyle = '#1d232a';
      g.fillText(s.name, legendX + 16, 14); legendX += g.measureText(s.name).width + 34;
    });
  }

  /** Loss per level (and the total) and evaluation scores from metrics.jsonl records. */
  function fromMetrics(records) {
    const loss = new Map([['total', []]]);
    const evals = new Map();
    records.forEach(r => {
      if (typeof r.loss === 'number') {
        loss.get('total').push([r.step, r.loss]);
        if (r.levels) {
          Object.keys(r.levels).forEach(k => {
            const name = k + '²';
            if (!loss.has(name)) loss.set(name, []);
            loss.get(name).push([r.step, r.levels[k]]);
          });
        }
      }
      if (r.eval && typeof r.eval === 'object') {
        Object.keys(r.eval).forEach(k => {
          if (typeof r.eval[k] !== 'number') return;
          if (!evals.has(k)) evals.set(k, []);
          evals.get(k).push([r.step, r.eval[k]]);
        });
      }
    });
    const toSeries = m => [...m.entries()].map(([name, points]) => ({ name, points }));
    return { loss: toSeries(loss), evals: toSeries(evals) };
  }

  return { line, fromMetrics };
})();
