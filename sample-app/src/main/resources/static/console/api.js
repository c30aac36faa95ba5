// Calls to the service. A key, when the user gave one, goes along as a bearer token (API keys for
// the API, admin keys also for the registry's changes); it is kept in this tab only.
const KEY = 'llcuda.apiKey';

export function setKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export function headers(extra = {}) {
  const key = sessionStorage.getItem(KEY);
  return key ? { ...extra, Authorization: 'Bearer ' + key } : extra;
}

/** An error of a call, with the service's own message (OpenAI's {error: {message}} or the registry's {error}). */
export class CallError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function failure(response) {
  let message = response.statusText || ('HTTP ' + response.status);
  try {
    const body = await response.json();
    message = (body.error && (body.error.message || body.error)) || body.message || message;
  } catch (e) {
    // no JSON body: keep the status text
  }
  if (response.status === 401 || response.status === 403) {
    message += ' (enter a key above' + (response.status === 403 ? ': this needs an admin key)' : ')');
  }
  return new CallError(response.status, message);
}

/** Sends a request; answers the parsed JSON body, or throws a CallError naming what the service said. */
export async function call(method, url, body) {
  const options = { method, headers: headers(body === undefined ? {} : { 'Content-Type': 'application/json' }) };
  if (body !== undefined) options.body = JSON.stringify(body);
  const response = await fetch(url, options);
  if (!response.ok) throw await failure(response);
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Posts a request whose answer is server-sent events; calls onEvent with each event's data until [DONE]. */
export async function stream(url, body, onEvent, signal) {
  const response = await fetch(url, {
    method: 'POST', signal, body: JSON.stringify(body),
    headers: headers({ 'Content-Type': 'application/json', Accept: 'text/event-stream' }),
  });
  await readEvents(response, onEvent);
}

/** Opens a stream of server-sent events with GET; calls onEvent with each event's data until it ends. */
export async function follow(url, onEvent, signal) {
  const response = await fetch(url, { signal, headers: headers({ Accept: 'text/event-stream' }) });
  await readEvents(response, onEvent);
}

async function readEvents(response, onEvent) {
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value.replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const data = buffer.slice(0, end).split('\n').filter(line => line.startsWith('data:'))
        .map(line => line.slice(5).trimStart()).join('\n');
      buffer = buffer.slice(end + 2);
      if (data === '[DONE]') return;
      if (data) onEvent(JSON.parse(data));
    }
  }
}

/** Bytes for people: 1.5 GB, 320 MB, 12 kB. */
export function bytes(n) {
  if (n < 0 || n === null || n === undefined || Number.isNaN(n)) return '?';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (i === 0 ? n : n.toFixed(n < 10 ? 2 : 1)) + ' ' + units[i];
}
