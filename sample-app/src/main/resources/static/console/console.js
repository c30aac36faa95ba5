// The console's entry point: views, the key form, the status line and the live reading that feeds
// the models view (load and pull progress) and the live view (charts).
import { follow, setKey } from './api.js';
import { initModels, showLive as showModelsLive } from './models.js';
import { initLive, record } from './live.js';
import { initChat } from './chat.js';

const RECONNECT_MILLIS = 2000;
const errorBox = document.getElementById('error');

export function showError(error) {
  errorBox.hidden = !error;
  errorBox.textContent = error ? error.message || String(error) : '';
}

document.querySelectorAll('nav button').forEach(button => button.addEventListener('click', () => {
  document.querySelectorAll('nav button').forEach(b => b.classList.toggle('selected', b === button));
  document.querySelectorAll('.view').forEach(view => { view.hidden = view.id !== 'view-' + button.dataset.view; });
}));

document.getElementById('key-form').addEventListener('submit', event => {
  event.preventDefault();
  const input = document.getElementById('key-input');
  setKey(input.value.trim());
  input.value = '';
  input.placeholder = 'key in use (empty: none)';
  showError(null);
  initModels(showError);
  restartReadings();
});

function showStatus(status) {
  const box = document.getElementById('status');
  box.textContent = status.message;
  box.className = 'note' + (status.state === 'READY' ? '' : ' bad');
  box.dataset.state = status.state;
  const demo = document.getElementById('demo');
  demo.hidden = !status.demoWarning;
  demo.textContent = status.demoWarning || '';
}

function showReading(live) {
  showStatus(live.status);
  showModelsLive(live);
  record(live);
}

// The live reading arrives as server-sent events (one a second); when the stream ends or fails (a
// restart of the service, a new key, the network) the page says so and opens a new one.
let reading = null;

async function followReadings() {
  const controller = new AbortController();
  reading = controller;
  try {
    await follow('/api/console/events', showReading, controller.signal);
  } catch (e) {
    if (controller.signal.aborted) return;
    document.getElementById('status').textContent = e.message;
    document.getElementById('status').className = 'note bad';
  }
  if (reading === controller) setTimeout(followReadings, RECONNECT_MILLIS);
}

function restartReadings() {
  if (reading) reading.abort();
  followReadings();
}

initModels(showError);
initLive();
initChat(showError);
followReadings();
