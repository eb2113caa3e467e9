// The dashboard: one page, views by address (#/jobs, #/jobs/<id>, #/run/<path>, #/train, #/generate,
// #/components, #/studies), all data from the JSON API under /api. Text from the server is set as
// text, never as markup (study reports go through the Markdown renderer, which escapes first).
'use strict';

const api = {
  csrf: null,
  async session() {
    const s = await this.get('/api/session');
    this.csrf = s.csrf;
    return s;
  },
  async get(path) {
    return decode(await fetch(path, { headers: { Accept: 'application/json' } }));
  },
  async post(path, body, retried) {
    try {
      return decode(await fetch(path, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-MDM-CSRF': this.csrf || '' },
        body: JSON.stringify(body || {}),
      }));
    } catch (e) {
      // the server restarted (a new configuration) and forgot the session: take a new one, once
      if (e.status === 403 && !retried && /X-MDM-CSRF/.test(e.message)) {
        await this.session();
        return this.post(path, body, true);
      }
      throw e;
    }
  },
};

async function decode(response) {
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    throw new Error(`${response.status} ${response.statusText}`);
  }
  if (!response.ok) {
    const error = new Error(body && body.error ? body.error : `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

/** h('div', {class: 'x', id: 'y'}, 'text', child, …): an element; strings become text nodes. */
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === null || v === undefined || v === false) return;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'value') e.value = v;
    else if (k === 'style') e.style.cssText = v; // CSSOM: the page's CSP allows no style attributes
    else e.setAttribute(k, v === true ? '' : v);
  });
  children.flat().forEach(c => {
    if (c === null || c === undefined || c === false) return;
    e.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  });
  return e;
}

const view = () => document.getElementById('view');
/** Replaces what the view shows; absent parts (null) are left out. */
const render = (...nodes) => view().replaceChildren(...nodes.filter(n => n !== null && n !== undefined && n !== false));
const num = (v, digits = 4) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–');

function duration(seconds) {
  if (!(seconds > 0) || !Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const stateBadge = state => h('span', { class: `state ${state}` }, state);
const progressBar = (step, total, id) =>
  h('div', { class: 'bar', id }, h('div', { style: `width:${total > 0 ? Math.min(100, (100 * step) / total) : 0}%` }));

// ---- routing -------------------------------------------------------------------------------

/** What the current view keeps running (timers, event streams); stopped when the view changes. */
let cleanups = [];
function onLeave(fn) { cleanups.push(fn); }
function every(ms, fn) { const t = setInterval(fn, ms); onLeave(() => clearInterval(t)); }

async function route() {
  cleanups.forEach(fn => { try { fn(); } catch (e) { /* already gone */ } });
  cleanups = [];
  const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
  const [name, ...rest] = hash.split('/');
  const arg = rest.join('/');
  document.querySelectorAll('header nav a').forEach(a =>
    a.classList.toggle('active', a.id === `nav-${name === 'run' ? 'jobs' : name || 'jobs'}`));
  const views = { jobs: arg ? () => jobView(arg) : jobsView, run: () => runView(arg), train: trainView,
                  generate: generateView, components: componentsView, studies: studiesView };
  const show = views[name] || jobsView;
  try {
    await show();
  } catch (e) {
    render(h('p', { class: 'error', id: 'view-error' }, e.message));
  }
}

// ---- jobs ----------------------------------------------------------------------------------

async function jobsView() {
  const jobsBody = h('tbody', { id: 'jobs' });
  const runsBody = h('tbody', { id: 'runs' });
  render(
    h('h1', {}, 'Jobs'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Job', 'State', 'Progress', 'Step', 'Loss', 'img/s', 'ETA', 'Output']
      .map(t => h('th', {}, t)))), jobsBody),
    h('p', { class: 'muted' }, 'Start one on the ', h('a', { href: '#/train' }, 'Train'), ' page or with mdm:train in the shell.'),
    h('h2', {}, 'Runs on disk'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Run', 'Experiment', 'Checkpoints', 'Last change'].map(t => h('th', {}, t)))),
      runsBody));
  async function refresh() {
    const jobs = await api.get('/api/jobs');
    jobsBody.replaceChildren(...(jobs.length ? jobs.slice().reverse().map(j => h('tr', { 'data-job': j.id },
      h('td', {}, h('a', { href: `#/jobs/${encodeURIComponent(j.id)}` }, j.id)),
      h('td', {}, stateBadge(j.state)),
      h('td', {}, progressBar(j.step, j.totalSteps)),
      h('td', { class: 'num' }, `${j.step}/${j.totalSteps}`),
      h('td', { class: 'num' }, num(j.loss)),
      h('td', { class: 'num' }, num(j.imagesPerSecond, 1)),
      h('td', { class: 'num' }, j.finished ? '' : duration(j.etaSeconds)),
      h('td', {}, j.output))) : [h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No jobs in this runtime yet.'))]));
  }
  async function refreshRuns() {
    let runs = [];
    try { runs = await api.get('/api/runs'); } catch (e) { /* no trainer: no runs */ }
    runsBody.replaceChildren(...(runs.length ? runs.map(r => h('tr', {},
      h('td', {}, h('a', { href: `#/run/${r.path}` }, r.path)),
      h('td', {}, r.experiment),
      h('td', { class: 'num' }, r.checkpoints.length),
      h('td', {}, new Date(r.modified).toLocaleString()))) : [h('tr', {}, h('td', { colspan: 4, class: 'muted' }, 'None yet.'))]));
  }
  await refresh();
  await refreshRuns();
  every(2000, () => refresh().catch(() => {}));
}

/** A run's curves, samples and checkpoints; with a job, also its live progress and a stop button. */
function runPanels() {
  const lossCanvas = h('canvas', { class: 'chart', id: 'loss-chart' });
  const evalCanvas = h('canvas', { class: 'chart', id: 'eval-chart' });
  const samples = h('div', { class: 'gallery', id: 'samples' }, h('span', { class: 'muted' }, 'No sample grid yet.'));
  const checkpoints = h('ul', { id: 'checkpoints' }, h('li', { class: 'muted' }, 'No checkpoint yet.'));
  const curves = h('div', { class: 'gallery', id: 'curve-images' });
  const element = h('div', {},
    h('h2', {}, 'Curves'),
    h('div', { class: 'grid2' }, lossCanvas, evalCanvas),
    h('h2', {}, 'Samples'), samples,
    h('h2', {}, 'Checkpoints'), checkpoints,
    h('h2', {}, 'Curves as written by the trainer'), curves);
  let records = [];
  let next = 0;
  let path = null;

  function draw() {
    const { loss, evals } = Charts.fromMetrics(records);
    Charts.line(lossCanvas, loss, { title: 'loss per level' });
    Charts.line(evalCanvas, evals, { title: 'evaluation of sample grids' });
  }

  async function refresh(run) {
    if (!run) return;
    path = run.path;
    const page = await api.get(`/api/runs/metrics?path=${encodeURIComponent(path)}&from=${next}`);
    if (page.reset) records = [];
    records = records.concat(page.records);
    next = page.next;
    draw();
    samples.replaceChildren(...(run.samples.length ? run.samples.slice(0, 12).map(s => h('figure', {},
      h('img', { src: s.url, alt: s.name, class: 'pixel sample' }), h('figcaption', {}, s.name))) :
      [h('span', { class: 'muted' }, 'No sample grid yet.')]));
    checkpoints.replaceChildren(...(run.checkpoints.length ? run.checkpoints.slice().reverse().map(c => h('li', {},
      `step ${c.step} (stage ${c.stage || '?'})${c.last ? ', final' : ''} `,
      h('a', { href: `#/generate/${c.path}` }, 'generate from it'))) : [h('li', { class: 'muted' }, 'No checkpoint yet.')]));
    curves.replaceChildren(...run.curves.map(c => h('figure', {}, h('img', { src: c.url, alt: c.name, width: 320 }),
      h('figcaption', {}, c.name))));
  }
  return { element, refresh };
}

async function runView(path) {
  const run = await api.get(`/api/runs/detail?path=${encodeURIComponent(path)}`);
  const panels = runPanels();
  render(h('h1', {}, `Run ${run.path}`), h('p', { class: 'muted' }, `experiment ${run.experiment}`),
    panels.element);
  await panels.refresh(run);
}

async function jobView(id) {
  let job = await api.get(`/api/jobs/${encodeURIComponent(id)}`);
  const state = h('span', { id: 'job-state' });
  const step = h('span', { id: 'job-step' });
  const bar = h('div', { id: 'job-progress-holder' });
  const loss = h('span', { id: 'job-loss' });
  const speed = h('span', { id: 'job-speed' });
  const message = h('span', { id: 'job-message' });
  const error = h('div', { class: 'error', id: 'job-error' });
  const stop = h('button', { class: 'danger', id: 'stop-button', onclick: async () => {
    stop.disabled = true;
    try {
      show(await api.post(`/api/jobs/${encodeURIComponent(id)}/stop`));
    } catch (e) {
      error.textContent = e.message;
      stop.disabled = false;
    }
  } }, 'Stop (writes a checkpoint)');
  const panels = runPanels();
  render(
    h('h1', {}, `Job ${job.id}`),
    h('div', { class: 'card' },
      h('dl', { class: 'kv' },
        h('dt', {}, 'state'), h('dd', {}, state),
        h('dt', {}, 'progress'), h('dd', {}, bar),
        h('dt', {}, 'step'), h('dd', {}, step),
        h('dt', {}, 'loss'), h('dd', {}, loss),
        h('dt', {}, 'speed'), h('dd', {}, speed),
        h('dt', {}, 'last event'), h('dd', {}, message),
        h('dt', {}, 'output'), h('dd', {}, job.output)),
      h('p', {}, stop), error),
    panels.element);

  function show(j) {
    job = Object.assign(job, j);
    state.replaceChildren(stateBadge(j.state), j.reason ? ` ${j.reason}` : '');
    step.textContent = `${j.step} / ${j.totalSteps}${j.stage ? ` (stage ${j.stage})` : ''}`;
    bar.replaceChildren(progressBar(j.step, j.totalSteps, 'job-progress'));
    const levels = Object.entries(j.levels || {}).map(([k, v]) => `${k}²: ${num(v)}`).join(', ');
    loss.textContent = `${num(j.loss)}${levels ? ` (${levels})` : ''}`;
    speed.textContent = `${num(j.imagesPerSecond, 1)} images/s${j.finished ? '' : `, ETA ${duration(j.etaSeconds)}`}`;
    message.textContent = j.message || '';
    stop.disabled = j.finished || j.state === 'stopping';
    stop.hidden = j.finished;
  }
  show(job);
  await panels.refresh(job.run);

  let busy = false;
  async function refreshRun() {
    if (busy) return;
    busy = true;
    try {
      const detail = await api.get(`/api/jobs/${encodeURIComponent(id)}`);
      show(detail);
      await panels.refresh(detail.run);
    } finally {
      busy = false;
    }
  }
  // live progress by Server-Sent Events; the run's files (curves, grids, checkpoints) by polling
  const events = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
  events.addEventListener('progress', e => show(JSON.parse(e.data)));
  events.addEventListener('end', e => { show(JSON.parse(e.data)); events.close(); refreshRun().catch(() => {}); });
  events.onerror = () => { if (job.finished) events.close(); };
  onLeave(() => events.close());
  every(2000, () => { if (!job.finished) refreshRun().catch(() => {}); });
}

// ---- train ---------------------------------------------------------------------------------

async function trainView() {
  let specs = [];
  let specsError = null;
  try { specs = await api.get('/api/specs'); } catch (e) { specsError = e.message; }
  let chosen = null;
  const text = h('textarea', { id: 'spec-text', rows: 22, spellcheck: 'false',
    placeholder: 'Paste an experiment spec (YAML or JSON) here, or pick one above.' });
  const picker = h('select', { id: 'spec-select', onchange: () => {
    chosen = specs.find(s => s.name === picker.value) || null;
    text.value = chosen ? chosen.text : '';
    description.textContent = chosen ? chosen.description : '';
  } }, h('option', { value: '' }, '— paste a spec below —'), ...specs.map(s => h('option', { value: s.name }, s.name)));
  const description = h('span', { class: 'muted' });
  const steps = h('input', { id: 'train-steps', type: 'number', min: 1, placeholder: "the spec's" });
  const output = h('input', { id: 'train-output', placeholder: 'runs/<name> (the spec’s)' });
  const resume = h('input', { id: 'train-resume', type: 'checkbox' });
  const error = h('div', { class: 'error', id: 'train-error' });
  const note = h('div', { class: 'note', id: 'train-note' });

  function request() {
    const body = {};
    if (chosen && text.value === chosen.text) body.spec = chosen.name;
    else body.yaml = text.value;
    return body;
  }
  async function run(button, action) {
    error.textContent = '';
    note.textContent = '';
    button.disabled = true;
    try {
      await action();
    } catch (e) {
      error.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  }
  const validate = h('button', { class: 'secondary', id: 'validate-button', onclick: () => run(validate, async () => {
    const v = await api.post('/api/specs/validate', request());
    note.textContent = `valid: experiment '${v.experiment}', ${v.totalSteps} steps in ${v.stages.length} stage(s) `
      + `(${v.stages.map(s => `${s.name}: ${s.steps}`).join(', ')}), output ${v.output}`;
  }) }, 'Validate');
  const start = h('button', { id: 'start-button', onclick: () => run(start, async () => {
    const body = request();
    if (steps.value) body.steps = Number(steps.value);
    if (output.value.trim()) body.output = output.value.trim();
    if (resume.checked) body.resume = true;
    const job = await api.post('/api/jobs', body);
    location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
  }) }, 'Start training');
  render(
    h('h1', {}, 'Train'),
    h('div', { class: 'card' },
      h('div', { class: 'row' }, h('div', {}, h('label', { for: 'spec-select' }, 'Spec'), picker), description),
      specsError ? h('p', { class: 'error' }, specsError) : null,
      text,
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'train-steps' }, 'Total steps (optional)'), steps),
        h('div', {}, h('label', { for: 'train-output' }, 'Output folder in the work folder (optional)'), output),
        h('div', {}, h('label', { for: 'train-resume' }, 'Resume from its last checkpoint'), resume)),
      h('div', { class: 'row' }, validate, start),
      error, note));
}

// ---- generate ------------------------------------------------------------------------------

async function generateView(preselected) {
  const arg = decodeURIComponent(location.hash.replace(/^#\/?generate\/?/, ''));
  const [runs, components] = await Promise.all([api.get('/api/runs'), api.get('/api/components').catch(() => [])]);
  const withCheckpoints = runs.filter(r => r.checkpoints.length > 0);
  const checkpoint = h('select', { id: 'gen-checkpoint' }, ...withCheckpoints.map(r => h('optgroup', { label: `${r.path} (${r.experiment})` },
    ...r.checkpoints.slice().reverse().map(c => h('option', { value: c.path }, `${r.path} · step ${c.step}${c.last ? ' (final)' : ''}`)))));
  if (arg) checkpoint.value = arg;
  const samplers = [...new Set(components.filter(c => c.kind === 'sampler').map(c => c.name))];
  const sampler = h('select', { id: 'gen-sampler' }, h('option', { value: '' }, "the experiment's"),
    ...samplers.map(s => h('option', { value: s }, s)));
  const labels = h('input', { id: 'gen-labels', size: 40, placeholder: 'e.g. red circle, blue square (or numbers)' });
  const prompts = h('textarea', { id: 'gen-prompts', rows: 2, placeholder: 'one prompt per line (text-conditional models)' });
  const steps = h('input', { id: 'gen-steps', type: 'number', min: 1, placeholder: "the experiment's" });
  const guidance = h('input', { id: 'gen-guidance', type: 'number', step: '0.1', min: 0, placeholder: "the experiment's" });
  const seed = h('input', { id: 'gen-seed', type: 'number', value: '0' });
  const n = h('input', { id: 'gen-n', type: 'number', min: 1, value: '8' });
  const ema = h('input', { id: 'gen-ema', type: 'checkbox', checked: true });
  const error = h('div', { class: 'error', id: 'gen-error' });
  const result = h('div', { id: 'gen-result' });
  const go = h('button', { id: 'generate-button', onclick: async () => {
    error.textContent = '';
    go.disabled = true;
    go.textContent = 'Generating…';
    const body = { checkpoint: checkpoint.value, n: n.value === '' ? null : Number(n.value), seed: Number(seed.value || 0), ema: ema.checked };
    const ls = labels.value.split(',').map(s => s.trim()).filter(Boolean);
    const ps = prompts.value.split('\n').map(s => s.trim()).filter(Boolean);
    if (ls.length) body.labels = ls;
    if (ps.length) body.prompts = ps;
    if (steps.value) body.steps = Number(steps.value);
    if (guidance.value) body.guidance = Number(guidance.value);
    if (sampler.value) body.sampler = sampler.value;
    try {
      showResult(await api.post('/api/generate', body));
    } catch (e) {
      error.textContent = e.message;
    } finally {
      go.disabled = false;
      go.textContent = 'Generate';
    }
  } }, 'Generate');

  function showResult(r) {
    const d = r.details || {};
    result.replaceChildren(
      h('p', { id: 'gen-time' }, `${r.images.length} images in ${(r.millis / 1000).toFixed(2)} s `
        + `(sampling ${d.sampling_ms} ms, ${d.steps} steps of ${d.sampler}, guidance ${d.guidance}, ${d.weights} weights)`
        + (r.scores ? ` · checker: ${Object.entries(r.scores).map(([k, v]) => `${k} ${Math.round(100 * v)}%`).join(', ')}` : '')),
      h('h2', {}, 'Grids, highest resolution first'),
      h('div', { class: 'gallery', id: 'gen-grids' }, ...r.grids.map(g => h('figure', {},
        h('img', { src: g.url, alt: g.name, class: 'pixel' }), h('figcaption', {}, g.name)))),
      h('h2', {}, 'Each image at every resolution'),
      h('table', { id: 'gen-images' }, h('tbody', {}, ...r.images.map(im => h('tr', {},
        h('td', {}, im.condition || `#${im.index}`),
        h('td', {}, h('div', { class: 'levels' }, ...im.levels.map(l => h('figure', {},
          h('img', { src: l.url, alt: `${l.side}²`, class: 'level' }), h('figcaption', {}, `${l.side}²`))))))))),
      h('p', { class: 'muted' }, `written to ${r.folder}`));
  }

  render(
    h('h1', {}, 'Generate'),
    withCheckpoints.length === 0 ? h('p', { class: 'muted', id: 'gen-none' }, 'No checkpoint in the work folder yet: train first.') : null,
    h('div', { class: 'card' },
      h('div', { class: 'row' }, h('div', {}, h('label', { for: 'gen-checkpoint' }, 'Checkpoint'), checkpoint)),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'gen-labels' }, 'Labels (class-conditional)'), labels),
        h('div', { style: 'flex:1' }, h('label', { for: 'gen-prompts' }, 'Prompts (text-conditional)'), prompts)),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'gen-sampler' }, 'Sampler'), sampler),
        h('div', {}, h('label', { for: 'gen-steps' }, 'Steps'), steps),
        h('div', {}, h('label', { for: 'gen-guidance' }, 'Guidance'), guidance),
        h('div', {}, h('label', { for: 'gen-seed' }, 'Seed'), seed),
        h('div', {}, h('label', { for: 'gen-n' }, 'Images'), n),
        h('div', {}, h('label', { for: 'gen-ema' }, 'EMA weights'), ema)),
      h('div', { class: 'row' }, go), error),
    result);
}

// ---- components and features ---------------------------------------------------------------

async function componentsView() {
  const compBody = h('tbody', { id: 'components' });
  const featBody = h('tbody', { id: 'features' });
  const error = h('div', { class: 'error', id: 'features-error' });
  const note = h('div', { class: 'note', id: 'features-note' });
  const kind = h('select', { id: 'kind-filter', onchange: () => drawComponents() }, h('option', { value: '' }, 'all kinds'));
  let components = [];
  function drawComponents() {
    const shown = components.filter(c => !kind.value || c.kind === kind.value);
    compBody.replaceChildren(...shown.map(c => h('tr', {}, h('td', {}, c.kind), h('td', {}, c.name),
      h('td', {}, c.bundle), h('td', {}, c.version), h('td', { class: 'num' }, c.ranking))));
  }
  async function refresh() {
    components = await api.get('/api/components');
    const kinds = [...new Set(components.map(c => c.kind))].sort();
    const selected = kind.value;
    kind.replaceChildren(h('option', { value: '' }, 'all kinds'), ...kinds.map(k => h('option', { value: k }, k)));
    kind.value = selected;
    drawComponents();
    const features = await api.get('/api/features');
    featBody.replaceChildren(...features.map(f => h('tr', { 'data-feature': f.name },
      h('td', {}, f.name), h('td', {}, f.title), h('td', {}, f.installed ? 'installed' : '–'),
      h('td', {}, f.boot ? 'yes' : ''), h('td', { class: 'num' }, f.bundles.length),
      h('td', {}, f.installed
        ? h('button', { class: 'secondary', disabled: f.servesThisPage,
            title: f.servesThisPage ? `serves this page: remove it from the shell (mdm:uninstall ${f.name})` : null,
            onclick: e => change(e.target, f, 'uninstall') }, 'Uninstall')
        : h('button', { onclick: e => change(e.target, f, 'install') }, 'Install')))));
  }
  async function change(button, feature, action) {
    error.textContent = '';
    note.textContent = '';
    button.disabled = true;
    try {
      const r = await api.post(`/api/features/${encodeURIComponent(feature.name)}/${action}`);
      note.textContent = `${action} ${feature.name}:\n${r.log.join('\n')}`;
      await refresh();
    } catch (e) {
      error.textContent = e.message;
      button.disabled = false;
    }
  }
  render(
    h('h1', {}, 'Components & features'),
    h('h2', {}, 'Features'), error, note,
    h('table', {}, h('thead', {}, h('tr', {}, ['Feature', 'Title', 'State', 'Boot', 'Bundles', ''].map(t => h('th', {}, t)))), featBody),
    h('h2', {}, 'Registered components'),
    h('div', { class: 'row' }, kind),
    h('table', {}, h('thead', {}, h('tr', {}, ['Kind', 'Name', 'Bundle', 'Version', 'Ranking'].map(t => h('th', {}, t)))), compBody));
  await refresh();
}

// ---- studies -------------------------------------------------------------------------------

async function studiesView() {
  const studies = await api.get('/api/studies');
  const list = h('div', { id: 'studies' });
  render(h('h1', {}, 'Studies'),
    h('p', { class: 'muted' }, 'Study folders in the work folder (studies/<name>/): each report.md and its plots.'),
    list);
  if (studies.length === 0) {
    list.replaceChildren(h('p', { class: 'muted', id: 'no-studies' },
      'No studies yet. When a study is run (mdm:study), its report and plots appear here.'));
    return;
  }
  for (const s of studies) {
    const report = h('div', { class: 'report' });
    list.appendChild(h('div', { class: 'card', 'data-study': s.name }, h('h2', {}, s.name), report,
      h('div', { class: 'gallery' }, ...s.plots.map(p => h('figure', {}, h('img', { src: p.url, alt: p.name, width: 360 }),
        h('figcaption', {}, p.name))))));
    if (s.report) {
      const text = await (await fetch(s.report)).text();
      const base = s.report.replace(/[^/]*$/, '');
      report.innerHTML = Markdown.render(text, base); // escaped first by the renderer
    } else {
      report.replaceChildren(h('p', { class: 'muted' }, 'No report.md (yet).'));
    }
  }
}

// ---- start ---------------------------------------------------------------------------------

window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', async () => {
  try {
    await api.session();
  } catch (e) {
    render(h('p', { class: 'error' }, e.message));
    return;
  }
  if (!location.hash) location.hash = '#/jobs';
  else route();
});
