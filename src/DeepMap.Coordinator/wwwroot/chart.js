// A small canvas line chart: axes with round-number ticks, several series with a legend, auto-scaling, sharp on
// high-DPI screens, redrawn on new data and on resize. No dependencies.
//
//   const chart = new LineChart(canvas, { xLabel: 'epoch', yLabel: 'loss' });
//   chart.setData([{ label: 'training', color: '#2563eb', points: [[0.1, 2.3], [0.2, 1.9]] }], { xMax: 3 });
//
// After each draw the canvas carries data-points: how many points it drew.

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const AXIS = '#64748b';
const GRID = '#e2e8f0';
const PAD = { left: 58, right: 18, top: 36, bottom: 42 }; // left is widened to fit the y tick labels

export class LineChart {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {object} options xLabel, yLabel; xMin/xMax/yMin/yMax: values the axes always include; empty: the text
   *   shown without data; format: (value, step) => tick label for the y axis.
   */
  constructor(canvas, options = {}) {
    this.canvas = canvas;
    this.options = { empty: 'No data yet', ...options };
    this.series = [];
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  /**
   * @param {{label: string, color: string, points: [number, number][], line?: boolean, markers?: boolean,
   *   dash?: number[], width?: number}[]} series
   * @param {object} options overrides of the constructor's options
   */
  setData(series, options = {}) {
    this.series = series;
    Object.assign(this.options, options);
    this.draw();
  }

  draw() {
    const { canvas, options } = this;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    const series = this.series.map(s => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
    const count = series.reduce((n, s) => n + s.points.length, 0);
    canvas.dataset.points = String(count);
    if (!width || !height) return;

    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = FONT;
    const plot = { left: PAD.left, right: width - PAD.right, top: PAD.top, bottom: height - PAD.bottom };

    if (count === 0) {
      ctx.fillStyle = AXIS;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(options.empty, width / 2, height / 2);
      return;
    }
    const all = series.flatMap(s => s.points);
    const y = scale(all.map(p => p[1]), options.yMin, options.yMax, plot.bottom, plot.top, Math.max(2, Math.floor((plot.bottom - plot.top) / 45)));
    // Room on the left for the widest y tick label and the rotated axis label.
    y.labels = y.ticks.map(v => (options.format ? options.format(v, y.step) : label(v, y.step)));
    plot.left = Math.max(...y.labels.map(t => ctx.measureText(t).width)) + (options.yLabel ? 34 : 16);
    const x = scale(all.map(p => p[0]), options.xMin, options.xMax, plot.left, plot.right, Math.max(2, Math.floor((plot.right - plot.left) / 80)));
    drawAxes(ctx, plot, x, y, options);
    drawLegend(ctx, series, plot);
    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.left - 4, plot.top - 4, plot.right - plot.left + 8, plot.bottom - plot.top + 8);
    ctx.clip();
    for (const s of series) drawSeries(ctx, s, x, y);
    ctx.restore();
  }
}

/** A round tick spacing (1, 2 or 5 × 10^k) giving about `count` intervals over `span`. */
function niceStep(span, count) {
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const residual = raw / magnitude;
  return magnitude * (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1);
}

/** A linear map from the values' range (widened to include min/max, then to whole ticks) onto [from, to]. */
function scale(values, min, max, from, to, ticks) {
  let lo = Math.min(...values, min ?? Infinity);
  let hi = Math.max(...values, max ?? -Infinity);
  if (hi - lo < 1e-12) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, ticks);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const map = v => from + ((v - lo) / (hi - lo)) * (to - from);
  map.ticks = [];
  for (let v = lo; v <= hi + step / 2; v += step) map.ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  map.step = step;
  return map;
}

function label(value, step) {
  const digits = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(digits, 6));
}

function drawAxes(ctx, plot, x, y, options) {
  ctx.lineWidth = 1;
  ctx.fillStyle = AXIS;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  y.ticks.forEach((v, i) => {
    const py = Math.round(y(v)) + 0.5;
    ctx.strokeStyle = GRID;
    line(ctx, plot.left, py, plot.right, py);
    ctx.fillText(y.labels[i], plot.left - 8, py);
  });
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  for (const v of x.ticks) {
    const px = Math.round(x(v)) + 0.5;
    ctx.strokeStyle = AXIS;
    line(ctx, px, plot.bottom, px, plot.bottom + 5);
    ctx.fillText(label(v, x.step), px, plot.bottom + 8);
  }
  ctx.strokeStyle = AXIS;
  line(ctx, plot.left + 0.5, plot.top, plot.left + 0.5, plot.bottom + 0.5);
  line(ctx, plot.left, plot.bottom + 0.5, plot.right, plot.bottom + 0.5);
  if (options.xLabel) ctx.fillText(options.xLabel, (plot.left + plot.right) / 2, plot.bottom + 25);
  if (options.yLabel) {
    ctx.save();
    ctx.translate(14, (plot.top + plot.bottom) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = 'middle';
    ctx.fillText(options.yLabel, 0, 0);
    ctx.restore();
  }
}

function drawSeries(ctx, s, x, y) {
  const points = [...s.points].sort((a, b) => a[0] - b[0]);
  ctx.strokeStyle = s.color;
  ctx.fillStyle = s.color;
  if (s.line !== false && points.length > 1) {
    ctx.lineWidth = s.width ?? 2;
    ctx.lineJoin = 'round';
    ctx.setLineDash(s.dash ?? []);
    ctx.beginPath();
    points.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(x(px), y(py)) : ctx.lineTo(x(px), y(py))));
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (s.markers || points.length === 1) {
    for (const [px, py] of points) {
      ctx.beginPath();
      ctx.arc(x(px), y(py), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

function drawLegend(ctx, series, plot) {
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  let left = plot.left;
  const top = 14;
  for (const s of series.filter(s => s.points.length > 0)) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    if (s.line === false) {
      ctx.beginPath();
      ctx.arc(left + 9, top, 3.5, 0, 2 * Math.PI);
      ctx.fill();
    } else {
      ctx.lineWidth = 2;
      ctx.setLineDash(s.dash ?? []);
      line(ctx, left, top, left + 18, top);
      ctx.setLineDash([]);
    }
    ctx.fillStyle = '#334155';
    ctx.fillText(s.label, left + 24, top);
    left += 24 + ctx.measureText(s.label).width + 18;
  }
}

function line(ctx, x1, y1, x2, y2) {
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.stroke();
}
