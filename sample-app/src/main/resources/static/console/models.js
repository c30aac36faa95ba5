// The models view: the registry's models and their actions, registering and scanning, pulls from
// the hub and the progress of the load under way. Changes go to /actuator/llcudamodels (admin key
// when security is on); progress comes from the live reading, which never waits for the registry.
import { bytes, call } from './api.js';
import { activation, activationAdapters, adapterChoice, keepChoices } from './adapters.js';

const REGISTRY = '/actuator/llcudamodels';
const REFRESH_MILLIS = 5000;

let reportError = () => {};
let listing = null;
let busy = false;
const finishedPulls = new Set();

export function initModels(onError) {
  reportError = onError;
  refresh();
}

/** Lists the models again (one listing at a time: it waits while a model activates). */
export function refresh() {
  if (listing) return listing;
  listing = call('GET', REGISTRY)
    .then(registry => {
      renderModels(registry);
      document.getElementById('folders').textContent = 'Model folders: ' + registry.modelFolders.join(', ')
        + ' (registry: ' + registry.database + ')';
    })
    .catch(reportError)
    .finally(() => { listing = null; });
  return listing;
}
setInterval(() => { if (!busy) refresh(); }, REFRESH_MILLIS);

/** Runs a change of the registry, then lists the models again; buttons stay disabled meanwhile. */
async function change(method, url, body, label) {
  busy = true;
  document.querySelectorAll('#view-models button').forEach(b => { b.disabled = true; });
  const status = document.getElementById('status');
  if (label) status.textContent = label;
  try {
    const answer = await call(method, url, body);
    reportError(null);
    return answer;
  } catch (e) {
    reportError(e);
    return null;
  } finally {
    busy = false;
    document.querySelectorAll('#view-models button').forEach(b => { b.disabled = false; });
    await refresh();
  }
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function button(parent, text, action, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = text;
  b.dataset.action = action;
  b.disabled = busy;
  b.addEventListener('click', onClick);
  parent.appendChild(b);
}

function renderModels(registry) {
  const body = document.querySelector('#models tbody');
  body.replaceChildren();
  keepChoices(registry.models);
  for (const model of registry.models) {
    const row = body.insertRow();
    row.dataset.modelId = model.id;
    row.dataset.status = model.status;
    row.dataset.kind = model.kind;
    row.title = model.path;
    cell(row, model.id);
    cell(row, model.name);
    cell(row, model.kind, 'kind');
    cell(row, model.architecture);
    cell(row, model.quantization);
    cell(row, model.parameters.toLocaleString());
    cell(row, bytes(model.sizeBytes));
    const status = cell(row, model.status, 'status-' + model.status);
    for (const line of [activationAdapters(registry, model), model.statusMessage]) {
      if (!line) continue;
      const message = document.createElement('div');
      message.className = 'small';
      message.textContent = line;
      status.appendChild(message);
    }
    const actions = cell(row, '', 'actions');
    if (model.loraName) {
      adapterChoice(actions, model);
    } else {
      button(actions, 'Activate', 'activate', () => change('POST', REGISTRY + '/' + model.id, activation(),
        'Verifying the checksum of ' + model.name + ' (and of the chosen adapters), then loading it...'));
    }
    button(actions, 'Verify', 'verify', () => change('POST', REGISTRY + '/' + model.id, { action: 'verify' },
      'Verifying the checksum of ' + model.name + '...'));
    button(actions, 'Delete', 'delete', () => {
      if (confirm('Forget ' + model.name + ' (the file stays)?')) change('DELETE', REGISTRY + '/' + model.id);
    });
  }
}

document.getElementById('register-form').addEventListener('submit', event => {
  event.preventDefault();
  change('POST', REGISTRY, { path: document.getElementById('register-path').value.trim() });
});
document.getElementById('scan').addEventListener('click', async () => {
  const scan = await change('POST', REGISTRY, {});
  if (scan && scan.refused.length) {
    reportError(new Error('Not registered: ' + scan.refused.map(f => f.path + ' (' + f.reason + ')').join('; ')));
  }
});
document.getElementById('unload').addEventListener('click', () => change('POST', REGISTRY, { action: 'unload' }));
document.getElementById('pull-form').addEventListener('submit', event => {
  event.preventDefault();
  const revision = document.getElementById('pull-revision').value.trim();
  const body = { pull: document.getElementById('pull-repo').value.trim(), file: document.getElementById('pull-file').value.trim() };
  if (revision) body.revision = revision;
  call('POST', REGISTRY, body).then(() => reportError(null), reportError);
});

/** Shows the load under way and the pulls, from one live reading. */
export function showLive(live) {
  showLoad(live.loading);
  showPulls(live.pulls);
}

function showLoad(loading) {
  const box = document.getElementById('load');
  box.hidden = !loading;
  if (!loading) return;
  document.getElementById('load-file').textContent = loading.path;
  document.getElementById('load-phase').textContent = loading.phase.toLowerCase().replace(/_/g, ' ');
  document.getElementById('load-bytes').textContent = loading.totalBytes >= 0
    ? bytes(loading.bytes) + ' of ' + bytes(loading.totalBytes) + ' (' + loading.percent.toFixed(1) + '%)' : '';
  const bar = document.getElementById('load-progress');
  if (loading.percent >= 0) bar.value = loading.percent;
  else bar.removeAttribute('value');
  box.dataset.phase = loading.phase;
}

// Each pull keeps its element between readings (updated in place), so its buttons stay put.
function showPulls(pulls) {
  const box = document.getElementById('pulls');
  const kept = new Set();
  for (const pull of pulls) {
    const key = pull.repository + '/' + pull.file + '@' + pull.startedAt;
    kept.add(key);
    let div = box.querySelector('.pull[data-key="' + CSS.escape(key) + '"]');
    if (!div) {
      div = document.createElement('div');
      div.className = 'pull';
      div.dataset.key = key;
      div.dataset.file = pull.file;
      const text = document.createElement('div');
      text.className = 'pull-text';
      div.appendChild(text);
      const bar = document.createElement('progress');
      bar.max = 100;
      div.appendChild(bar);
      if (pull.state === 'DOWNLOADING') {
        button(div, 'Cancel', 'cancel', () => call('POST', REGISTRY,
          { action: 'cancel', pull: pull.repository, file: pull.file }).then(() => reportError(null), reportError));
      }
      box.prepend(div);
    }
    div.dataset.state = pull.state;
    div.dataset.bytes = pull.bytes;
    const eta = pull.etaSeconds >= 0 ? ', ETA ' + pull.etaSeconds + ' s' : '';
    div.querySelector('.pull-text').textContent = pull.repository + ' ' + pull.file + ' (' + pull.revision + '): '
      + pull.state + ', ' + bytes(pull.bytes) + ' of ' + bytes(pull.totalBytes)
      + (pull.percent >= 0 ? ' (' + pull.percent.toFixed(1) + '%)' : '')
      + ', ' + bytes(pull.bytesPerSecond) + '/s' + eta + (pull.message ? ': ' + pull.message : '');
    if (pull.percent >= 0) div.querySelector('progress').value = pull.percent;
    const cancel = div.querySelector('button[data-action="cancel"]');
    if (cancel && pull.state !== 'DOWNLOADING') cancel.remove();
    if (pull.state === 'DONE' && !finishedPulls.has(key)) {
      finishedPulls.add(key);
      refresh();
    }
  }
  box.querySelectorAll('.pull').forEach(div => { if (!kept.has(div.dataset.key)) div.remove(); });
}
