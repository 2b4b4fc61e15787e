// The DeepMap dashboard: the cluster's members, the jobs, and the selected job's live curves. It talks only to the
// coordinator's JSON API (GET /api/cluster, GET /api/jobs, GET /api/jobs/{id}/events, POST /api/jobs/{id}/cancel).
// Every text from the API goes into the page through textContent, never as HTML.

import { LineChart } from './chart.js';

const CLUSTER_EVERY_MS = 3000;
const JOBS_EVERY_MS = 2000;
const FINAL = new Set(['succeeded', 'failed', 'cancelled']);
const COLORS = { raw: '#bfdbfe', training: '#2563eb', validation: '#f97316', test: '#16a34a' };
const TOKEN_KEY = 'deepmap.token';

const state = {
  members: [],
  jobs: [],         // newest first
  selected: null,   // the selected job's id
  pinned: false,    // true once the user picked a job; otherwise follow the newest running job
  detail: null,     // the selected job's latest status
  stream: null,     // the EventSource of the selected job, while it runs
  problems: new Map(), // what is failing, by source: shown in the banner
  nodeSamples: null,  // { at, totals }: at the last jobs poll, each worker's samples summed over all jobs
  throughput: new Map(), // samples/s by worker address, over the last interval between jobs polls
};

const $ = id => document.getElementById(id);
const numbers = new Intl.NumberFormat('en-US');

const lossChart = new LineChart($('loss-chart'), { xLabel: 'epoch', yLabel: 'loss', xMin: 0, empty: 'The loss appears after the first steps' });
const metricChart = new LineChart($('metric-chart'), { xLabel: 'epoch', xMin: 0, empty: 'Metrics appear at each epoch end' });

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function token() {
  return localStorage.getItem(TOKEN_KEY);
}

async function api(path, init = {}) {
  const headers = { Accept: 'application/json', ...(token() ? { Authorization: `Bearer ${token()}` } : {}) };
  let response;
  try {
    response = await fetch(path, { cache: 'no-store', ...init, headers });
  } catch {
    throw new ApiError(0, 'The coordinator API is unreachable');
  }
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = (await response.json()).error ?? message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, message);
  }
  return response.json();
}

/** Runs `load` now and every `ms`, recording its failure (or recovery) under `source`. */
function poll(source, ms, load) {
  const run = async () => {
    try {
      await load();
      state.problems.delete(source);
    } catch (e) {
      state.problems.set(source, e);
    }
    renderConnection();
    setTimeout(run, ms);
  };
  run();
}

// ---------------------------------------------------------------- cluster

async function loadCluster() {
  state.members = (await api('/api/cluster')).members ?? [];
  renderMembers();
}

function renderMembers() {
  const rows = state.members.map(m =>
    el('tr', { 'data-address': m.address },
      el('td', { class: 'mono' }, m.address),
      el('td', {}, ...(m.roles ?? []).map(r => el('span', { class: 'chip' }, r))),
      el('td', {}, el('span', { class: `badge member-${m.status}` }, m.status)),
      el('td', {}, m.device ?? el('span', { class: 'muted' }, '—')),
      el('td', { class: 'num', 'data-name': 'throughput' }, throughputText(m.address))));
  replaceRows($('members'), rows, 5, 'No members');
  const workers = state.members.filter(m => m.roles?.includes('worker')).length;
  const up = state.members.filter(m => m.status === 'up').length;
  $('cluster-summary').textContent =
    `${plural(state.members.length, 'member')} · ${plural(workers, 'worker')} · ${up === state.members.length ? 'all up' : `${up} up`}`;
}

function throughputText(address) {
  const rate = state.throughput.get(address);
  return rate === undefined ? el('span', { class: 'muted' }, '—') : numbers.format(Math.round(rate));
}

/**
 * Each worker's samples/s: how much its samples, summed over all jobs (the API's node_samples), grew since the last
 * poll of the job list. The counts only grow, except when a restarted coordinator resumes a job from a checkpoint.
 */
function measureThroughput(jobs) {
  const at = performance.now();
  const totals = new Map();
  for (const job of jobs)
    for (const [address, samples] of Object.entries(job.node_samples ?? {})) totals.set(address, (totals.get(address) ?? 0) + samples);
  const last = state.nodeSamples;
  if (last && at > last.at)
    state.throughput = new Map([...totals].map(([address, total]) => [address, Math.max(0, total - (last.totals.get(address) ?? 0)) / ((at - last.at) / 1000)]));
  state.nodeSamples = { at, totals };
  renderMembers();
}

// ---------------------------------------------------------------- jobs

async function loadJobs() {
  const jobs = await api('/api/jobs');
  measureThroughput(jobs);
  jobs.sort((a, b) => Date.parse(b.submitted) - Date.parse(a.submitted));
  // The event stream may be ahead of the list for the selected job: keep whichever is further along.
  state.jobs = jobs.map(j => (j.id === state.selected && state.detail && progress(state.detail) > progress(j) ? state.detail : j));
  const selected = state.jobs.find(j => j.id === state.selected);
  if (!selected || !state.pinned) {
    const next = defaultJob();
    if (next?.id !== state.selected) {
      select(next?.id ?? null, false);
      return;
    }
  }
  if (selected) {
    if (!state.stream || !state.detail || progress(selected) >= progress(state.detail)) state.detail = selected;
    if (!state.stream && !FINAL.has(selected.state)) openStream(selected.id);
  }
  renderJobs();
  renderDetail();
}

function defaultJob() {
  return state.jobs.find(j => j.state === 'running') ?? state.jobs[0] ?? null;
}

/** How far along a status is, comparable between two statuses of one job. */
function progress(job) {
  return (FINAL.has(job.state) ? 1e12 : 0) + job.step * 1000 + (job.curve?.length ?? 0);
}

function select(id, pinned) {
  closeStream();
  state.selected = id;
  state.pinned = pinned;
  state.detail = state.jobs.find(j => j.id === id) ?? null;
  if (pinned) history.replaceState(null, '', `#job=${encodeURIComponent(id)}`);
  if (state.detail && !FINAL.has(state.detail.state)) openStream(id);
  renderJobs();
  renderDetail();
}

function openStream(id) {
  const query = token() ? `?access_token=${encodeURIComponent(token())}` : '';
  const source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events${query}`);
  source.addEventListener('status', event => {
    if (state.stream !== source) return;
    const status = JSON.parse(event.data);
    state.detail = status;
    state.jobs = state.jobs.map(j => (j.id === status.id ? status : j));
    if (FINAL.has(status.state)) closeStream();
    renderJobs();
    renderDetail();
  });
  // The browser reconnects by itself after a dropped connection; once it gives up, the next jobs poll reopens.
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED && state.stream === source) state.stream = null;
  });
  state.stream = source;
}

function closeStream() {
  state.stream?.close();
  state.stream = null;
}

function renderJobs() {
  const rows = state.jobs.map(j => {
    const row = el('tr', { 'data-job-id': j.id, class: j.id === state.selected ? 'selected' : '' },
      el('td', { class: 'job' }, el('div', { class: 'name' }, j.name), el('div', { class: 'mono muted small' }, j.id)),
      el('td', {}, stateBadge(j.state)),
      el('td', { class: 'num' }, `${j.epoch}/${j.epochs}`),
      el('td', { class: 'num' }, `${numbers.format(j.step)}/${numbers.format(j.steps)}`),
      el('td', { class: 'num' }, fixed(j.loss)),
      el('td', { class: 'nowrap' }, metricText(j)),
      el('td', { class: 'num' }, j.samples_per_second ? numbers.format(Math.round(j.samples_per_second)) : '—'),
      el('td', { class: 'muted nowrap', title: j.submitted }, time(j.submitted)));
    row.addEventListener('click', () => select(j.id, true));
    return row;
  });
  replaceRows($('jobs'), rows, 8, 'No jobs yet');
  const running = state.jobs.filter(j => j.state === 'running').length;
  const queued = state.jobs.filter(j => j.state === 'queued').length;
  $('jobs-summary').textContent = `${plural(state.jobs.length, 'job')} · ${running} running · ${queued} queued`;
}

/** The job's headline metric (not the loss): the test value when finished, else the last validation value. */
function headlineMetric(job) {
  for (const [source, values] of [['test', job.test], ['val', job.validation]]) {
    const name = Object.keys(values ?? {}).find(k => k !== 'loss');
    if (name) return { source, name, value: values[name] };
  }
  return null;
}

function metricText(job) {
  const metric = headlineMetric(job);
  if (!metric) return el('span', { class: 'muted' }, '—');
  return el('span', {}, `${metric.name} ${fixed(metric.value)} `, el('span', { class: 'muted small' }, metric.source));
}

// ---------------------------------------------------------------- the selected job

function renderDetail() {
  const job = state.detail;
  $('job').hidden = !job;
  $('no-job').hidden = !!job;
  if (!job) return;

  $('job').dataset.jobId = job.id;
  $('job').dataset.state = job.state;
  $('job-name').textContent = job.name;
  $('job-id').textContent = job.id;
  const badge = $('job-state');
  badge.textContent = job.state;
  badge.className = `badge state-${job.state}`;

  const resumed = job.resumed ?? [];
  $('job-resumed').hidden = resumed.length === 0;
  $('job-resumed-text').textContent = resumed
    .map(r => `from the checkpoint at step ${numbers.format(r.step)} (${numbers.format(r.steps_redone)} steps computed again)`)
    .join('; then ');
  $('job-waiting').hidden = !job.waiting;
  $('job-waiting-text').textContent = job.waiting ?? '';
  $('job-error').hidden = !job.error;
  $('job-error-text').textContent = job.error ?? '';

  const download = $('download-model');
  download.hidden = job.state !== 'succeeded';
  download.href = `/api/jobs/${encodeURIComponent(job.id)}/model`;
  download.download = `${job.id}.safetensors`;
  const cancel = $('cancel-job');
  cancel.hidden = job.state !== 'running' && job.state !== 'queued';
  cancel.dataset.jobId = job.id;
  if (cancel.hidden) resetCancel();

  $('job-progress').style.width = `${job.steps ? (100 * job.step) / job.steps : 0}%`;
  $('job-progress').className = `progress-bar state-${job.state}`;
  const metric = headlineMetric(job);
  stats($('job-stats'), [
    ['Epoch', `${job.epoch} / ${job.epochs}`],
    ['Step', `${numbers.format(job.step)} / ${numbers.format(job.steps)}`],
    ['Loss', fixed(job.loss)],
    [metric ? `${metric.source === 'test' ? 'Test' : 'Validation'} ${metric.name}` : 'Metric', metric ? fixed(metric.value) : '—'],
    ['Samples/s', job.samples_per_second ? numbers.format(Math.round(job.samples_per_second)) : '—'],
    ['Elapsed', duration(job)],
  ]);

  renderCharts(job);

  const test = Object.entries(job.test ?? {});
  $('job-results').hidden = test.length === 0 && !job.weights_sha256;
  stats($('job-test'), test.map(([name, value]) => [name, fixed(value)]));
  $('job-sha').textContent = job.weights_sha256 ?? '—';

  renderNodes(job);
}

function renderCharts(job) {
  const curve = job.curve ?? [];
  // Points with validation metrics, or at whole epochs, close an epoch: their loss is the epoch's mean, which stays
  // off the per-step line.
  const epochEnd = p => p.validation != null || (Number.isInteger(p.epoch) && p.epoch > 0);
  const steps = curve.filter(p => !epochEnd(p));
  const validated = curve.filter(p => p.validation != null);

  const loss = [
    { label: 'training loss', color: COLORS.raw, width: 1.25, points: steps.map(p => [p.epoch, p.loss]) },
    { label: 'smoothed', color: COLORS.training, points: smooth(steps.map(p => [p.epoch, p.loss]), 0.85) },
  ];
  if (validated.some(p => 'loss' in p.validation))
    loss.push({ label: 'validation loss', color: COLORS.validation, markers: true, points: validated.map(p => [p.epoch, p.validation.loss]) });
  lossChart.setData(loss, { xMax: job.epochs });

  // Epoch ends also carry the epoch's training metrics, measured on its batches (curves of older jobs may lack them).
  const trained = curve.filter(p => p.training != null);
  const names = [...new Set([...validated.flatMap(p => Object.keys(p.validation)), ...trained.flatMap(p => Object.keys(p.training)), ...Object.keys(job.test ?? {})])]
    .filter(n => n !== 'loss');
  const name = names[0];
  $('metric-chart-title').textContent = name ? `Metric: ${name}` : 'Metric';
  const metric = [];
  if (name) {
    const training = trained.filter(p => name in p.training);
    if (training.length) metric.push({ label: `training ${name}`, color: COLORS.training, markers: true, points: training.map(p => [p.epoch, p.training[name]]) });
    metric.push({ label: `validation ${name}`, color: COLORS.validation, markers: true, points: validated.filter(p => name in p.validation).map(p => [p.epoch, p.validation[name]]) });
    if (job.test && name in job.test) metric.push({ label: `test ${name}`, color: COLORS.test, line: false, points: [[job.epochs, job.test[name]]] });
  }
  const empty = FINAL.has(job.state) ? 'This job has no validation set (validation_split: 0)' : 'Metrics appear at each epoch end';
  metricChart.setData(metric, { xMax: job.epochs, yLabel: name ?? '', empty });
}

/** An exponential moving average of a series (bias-corrected, so the first points are not pulled to zero). */
function smooth(points, weight) {
  let average = 0;
  return points.map(([x, y], i) => {
    average = weight * average + (1 - weight) * y;
    return [x, average / (1 - weight ** (i + 1))];
  });
}

function renderNodes(job) {
  const entries = Object.entries(job.node_samples ?? {});
  const leftOut = job.node_left_out ?? {};
  for (const address of Object.keys(leftOut)) if (!entries.some(([a]) => a === address)) entries.push([address, 0]);
  $('job-nodes-block').hidden = entries.length === 0;
  $('job-nodes').classList.toggle('with-left-out', Object.keys(leftOut).length > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0) || 1;
  const rows = entries.sort((a, b) => b[1] - a[1]).map(([address, samples]) => {
    const device = state.members.find(m => m.address === address)?.device;
    const share = (100 * samples) / total;
    return el('tr', {},
      el('td', { class: 'mono' }, address),
      el('td', {}, device ?? el('span', { class: 'muted' }, '—')),
      el('td', { class: 'num' }, numbers.format(samples)),
      el('td', {}, el('div', { class: 'share' },
        el('div', { class: 'share-track' }, el('div', { class: 'share-bar', style: `width: ${share.toFixed(1)}%` })),
        el('span', {}, `${share.toFixed(0)}%`))),
      el('td', { class: 'num left-out' }, numbers.format(leftOut[address] ?? 0)));
  });
  replaceRows($('job-nodes'), rows, 5, '');
}

// Cancel asks twice (no blocking dialog): the first click arms the button for a few seconds.
let armed = null;
$('cancel-job').addEventListener('click', async () => {
  const button = $('cancel-job');
  const id = button.dataset.jobId;
  if (armed !== id) {
    armed = id;
    button.textContent = 'Confirm cancel';
    button.classList.add('armed');
    setTimeout(() => armed === id && resetCancel(), 4000);
    return;
  }
  resetCancel();
  button.disabled = true;
  try {
    const status = await api(`/api/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
    if (status.id === state.selected) state.detail = status;
    renderDetail();
  } catch (e) {
    state.problems.set('cancel', e);
    renderConnection();
  } finally {
    button.disabled = false;
  }
});

function resetCancel() {
  armed = null;
  $('cancel-job').textContent = 'Cancel job';
  $('cancel-job').classList.remove('armed');
}

// ---------------------------------------------------------------- connection banner and token

function renderConnection() {
  const problems = [...state.problems.values()];
  const unauthorized = problems.some(p => p.status === 401);
  const unreachable = problems.some(p => p.status === 0);
  $('banner').hidden = problems.length === 0;
  $('token-form').hidden = !unauthorized;
  $('banner-text').textContent = unauthorized
    ? 'This coordinator needs its API token (DEEPMAP_TOKEN).'
    : unreachable
      ? 'The coordinator API is unreachable. Showing the last known state; retrying every few seconds.'
      : problems.map(p => p.message).join(' · ');
  const connection = $('connection');
  connection.dataset.state = problems.length === 0 ? 'live' : unreachable ? 'offline' : 'degraded';
  $('connection-text').textContent = problems.length === 0 ? `live · ${new Date().toLocaleTimeString()}` : unreachable ? 'offline' : 'degraded';
  document.body.classList.toggle('stale', unreachable);
}

$('token-form').addEventListener('submit', event => {
  event.preventDefault();
  localStorage.setItem(TOKEN_KEY, $('token-input').value.trim());
  $('token-input').value = '';
  state.problems.clear();
  closeStream();
  loadCluster().catch(() => {});
  loadJobs().catch(() => {});
});

// ---------------------------------------------------------------- DOM and formatting helpers

/** An element with attributes and children; strings become text nodes, so nothing is parsed as HTML. */
function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== '' && value != null) element.setAttribute(name, value);
  element.append(...children.map(c => (c instanceof Node ? c : document.createTextNode(String(c)))));
  return element;
}

function replaceRows(table, rows, columns, emptyText) {
  const body = table.tBodies[0];
  body.replaceChildren(...(rows.length ? rows : emptyText ? [el('tr', { class: 'empty' }, el('td', { colspan: columns }, emptyText))] : []));
}

function stats(list, entries) {
  list.replaceChildren(...entries.map(([name, value]) => el('div', { 'data-name': name }, el('dt', {}, name), el('dd', {}, value))));
}

function stateBadge(value) {
  return el('span', { class: `badge state-${value}` }, value);
}

function fixed(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(4) : '—';
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function time(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString() : date.toLocaleString();
}

function duration(job) {
  const start = Date.parse(job.submitted);
  const end = job.finished ? Date.parse(job.finished) : Date.now();
  if (!Number.isFinite(start) || !Number.isFinite(end)) return '—';
  const seconds = Math.max(0, Math.round((end - start) / 1000));
  const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}

// ---------------------------------------------------------------- start

const linked = new URLSearchParams(location.hash.slice(1)).get('job');
if (linked) {
  state.selected = linked;
  state.pinned = true;
}
poll('cluster', CLUSTER_EVERY_MS, loadCluster);
poll('jobs', JOBS_EVERY_MS, loadJobs);
