// LoRA adapters in the models view: each registered adapter offers a choice (not used, merged into
// the weights, loaded beside the model for the requests naming it), and "Activate" on a model sends
// the chosen ones along. An adapter is never activated alone, so its row has no "Activate".

// Choices by adapter id, kept while the listing is rebuilt (every few seconds).
const chosen = new Map();

/** Adds the choice of how the adapter goes with the next activation. */
export function adapterChoice(parent, adapter) {
  const select = document.createElement('select');
  select.dataset.action = 'adapter-use';
  select.dataset.adapterId = adapter.id;
  for (const [value, text] of [['', 'not used'], ['adapters', 'merge'], ['lora', 'load beside']]) {
    select.add(new Option(text, value));
  }
  select.value = chosen.get(adapter.id) || '';
  select.addEventListener('change', () => chosen.set(adapter.id, select.value));
  parent.appendChild(select);
}

/** Forgets the choices of adapters no longer registered. */
export function keepChoices(models) {
  const ids = new Set(models.map(model => model.id));
  for (const id of chosen.keys()) if (!ids.has(id)) chosen.delete(id);
}

/** The activation's body: "adapters" (merged) and "lora" (beside) as the ids the registry takes. */
export function activation() {
  const body = { action: 'activate' };
  for (const field of ['adapters', 'lora']) {
    const ids = [...chosen].filter(([, use]) => use === field).map(([id]) => id);
    if (ids.length) body[field] = ids.join(',');
  }
  return body;
}

/** The adapters the default model's activation of {@code model} runs with, as a line; '' for none. */
export function activationAdapters(registry, model) {
  const activation = registry.activations.find(a => !a.model && a.id === model.id);
  if (!activation) return '';
  const name = id => {
    const adapter = registry.models.find(m => m.id === id);
    return adapter ? adapter.loraName : '#' + id;
  };
  const parts = [];
  if (activation.adapters.length) parts.push('merged: ' + activation.adapters.map(name).join(', '));
  if (activation.lora.length) parts.push('beside: ' + activation.lora.map(name).join(', '));
  return parts.join('; ');
}
