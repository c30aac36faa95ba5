// The chat view: a multi-turn conversation streamed from /v1/chat/completions, with a system prompt,
// sampling parameters, a stop button, and each answer's token counts and speed.
import { stream } from './api.js';
import { render } from './markdown.js';

const conversation = document.getElementById('conversation');
const input = document.getElementById('chat-input');
const send = document.getElementById('chat-send');
const stop = document.getElementById('chat-stop');
let history = [];
let running = null;
let reportError = () => {};

export function initChat(onError) {
  reportError = onError;
}

function bubble(role, text) {
  const div = document.createElement('div');
  div.className = 'message ' + role;
  const body = document.createElement('div');
  body.className = 'body';
  body.textContent = text;
  div.appendChild(body);
  conversation.appendChild(div);
  return div;
}

function number(id) {
  return Number(document.getElementById(id).value);
}

async function ask(text) {
  history.push({ role: 'user', content: text });
  bubble('user', text);
  const answer = bubble('assistant', '');
  answer.dataset.state = 'streaming';
  const body = answer.querySelector('.body');
  const meta = document.createElement('div');
  meta.className = 'meta';
  answer.appendChild(meta);
  const system = document.getElementById('chat-system').value.trim();
  const request = {
    messages: (system ? [{ role: 'system', content: system }] : []).concat(history),
    stream: true, stream_options: { include_usage: true },
    temperature: number('chat-temperature'), top_p: number('chat-top-p'), max_tokens: number('chat-max-tokens'),
  };
  running = new AbortController();
  send.disabled = true;
  stop.disabled = false;
  const started = performance.now();
  let firstToken = null;
  let pieces = 0;
  let usage = null;
  let finish = null;
  let content = '';
  try {
    await stream('/v1/chat/completions', request, event => {
      if (event.error) throw new Error(event.error.message);
      if (event.usage) usage = event.usage;
      for (const choice of event.choices || []) {
        const delta = choice.delta || {};
        if (delta.content) {
          if (firstToken === null) firstToken = performance.now();
          content += delta.content;
          answer.dataset.pieces = ++pieces;
          body.innerHTML = render(content);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }, running.signal);
    answer.dataset.state = 'done';
  } catch (e) {
    answer.dataset.state = running.signal.aborted ? 'stopped' : 'failed';
    if (!running.signal.aborted) reportError(e);
    finish = running.signal.aborted ? 'stopped' : 'error: ' + e.message;
  } finally {
    running = null;
    send.disabled = false;
    stop.disabled = true;
  }
  history.push({ role: 'assistant', content });
  const seconds = (performance.now() - (firstToken || started)) / 1000;
  const tokens = usage ? usage.completion_tokens : pieces;
  meta.textContent = (usage ? usage.prompt_tokens + ' prompt tokens, ' : '') + tokens + ' tokens'
    + (seconds > 0 && tokens > 1 ? ', ' + (tokens / seconds).toFixed(1) + ' tokens/s' : '')
    + (firstToken !== null ? ', first after ' + ((firstToken - started) / 1000).toFixed(2) + ' s' : '')
    + (finish ? ', ' + finish : '');
  answer.dataset.completionTokens = tokens;
}

document.getElementById('chat-form').addEventListener('submit', event => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || running) return;
  input.value = '';
  ask(text);
});
input.addEventListener('keydown', event => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    document.getElementById('chat-form').requestSubmit();
  }
});
stop.addEventListener('click', () => { if (running) running.abort(); });
document.getElementById('chat-clear').addEventListener('click', () => {
  history = [];
  conversation.replaceChildren();
});
