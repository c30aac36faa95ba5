// The live view: the last five minutes of the engine's and the GPU's readings as small line charts.
// Tokens/s is the change of the engine's generated-token count between two readings.
import { bytes } from './api.js';

const WINDOW = 300;
const series = {};
let previous = null;

const charts = [
  { canvas: 'chart-tokens', lines: [['tokensPerSecond', '#2a62c9']] },
  { canvas: 'chart-requests', lines: [['running', '#2a62c9'], ['queued', '#c9772a']] },
  { canvas: 'chart-kv', lines: [['kvBlocksUsed', '#2a62c9']], max: 'kvBlocksTotal' },
  { canvas: 'chart-prefix', lines: [['prefixHitRate', '#2a62c9']], fixedMax: 1 },
  { canvas: 'chart-gpu', lines: [['gpuUtilization', '#2a62c9']], fixedMax: 100 },
  { canvas: 'chart-gpu-memory', lines: [['gpuMemoryUsed', '#2a62c9']], max: 'gpuMemoryTotal' },
  { canvas: 'chart-gpu-thermal', lines: [['gpuTemperature', '#c92a2a'], ['gpuPower', '#2a62c9']] },
];

export function initLive() {
  for (const name of ['tokensPerSecond', 'running', 'queued', 'kvBlocksUsed', 'kvBlocksTotal', 'prefixHitRate',
    'gpuUtilization', 'gpuMemoryUsed', 'gpuMemoryTotal', 'gpuTemperature', 'gpuPower']) {
    series[name] = [];
  }
}

// A reading the service could not take is null (JSON writes NaN as the string "NaN").
function push(name, value) {
  const values = series[name];
  const number = value === undefined || value === null ? NaN : Number(value);
  values.push(Number.isFinite(number) ? number : null);
  if (values.length > WINDOW) values.shift();
}

/** Adds one reading of /api/console and redraws. */
export function record(live) {
  const engine = live.engine;
  let rate = null;
  if (engine && previous && previous.engine && previous.engine.model === engine.model
      && engine.generatedTokensTotal >= previous.engine.generatedTokensTotal && live.at > previous.at) {
    rate = (engine.generatedTokensTotal - previous.engine.generatedTokensTotal) * 1000 / (live.at - previous.at);
  }
  previous = live;
  push('tokensPerSecond', rate);
  push('running', engine && engine.running);
  push('queued', engine && engine.queued);
  push('kvBlocksUsed', engine && engine.kvBlocksUsed);
  push('kvBlocksTotal', engine && engine.kvBlocksTotal);
  push('prefixHitRate', engine && engine.prefixCacheHitRate);
  const gpu = live.gpu;
  push('gpuUtilization', gpu && gpu.utilizationPercent);
  push('gpuMemoryUsed', gpu && gpu.memoryUsedBytes);
  push('gpuMemoryTotal', gpu && gpu.memoryTotalBytes);
  push('gpuTemperature', gpu && gpu.temperatureCelsius);
  push('gpuPower', gpu && gpu.powerWatts);

  text('tokens-per-second', rate === null ? '-' : rate.toFixed(1));
  text('requests', engine ? engine.running + ' running, ' + engine.queued + ' queued' : 'no model');
  text('kv-blocks', engine ? engine.kvBlocksUsed + ' of ' + engine.kvBlocksTotal : '-');
  text('prefix-hits', engine && !Number.isNaN(Number(engine.prefixCacheHitRate))
    ? (100 * engine.prefixCacheHitRate).toFixed(1) + '%' : '-');
  text('gpu-utilization', gpu ? gpu.name + ': ' + number(gpu.utilizationPercent, '%') : 'no GPU (CPU backend or no NVML)');
  text('gpu-memory', gpu ? bytes(gpu.memoryUsedBytes) + ' of ' + bytes(gpu.memoryTotalBytes) : '-');
  text('gpu-thermal', gpu ? number(gpu.temperatureCelsius, ' °C') + ', ' + number(gpu.powerWatts, ' W') : '-');
  text('live-engine', engine ? engine.model + ': ' + engine.generatedTokensTotal + ' tokens generated, '
    + engine.finishedTotal + ' requests finished since it was loaded.' : '');
  if (!document.getElementById('view-live').hidden) charts.forEach(draw);
}

function number(value, unit) {
  return value === null || Number.isNaN(Number(value)) ? '-' : Number(value).toFixed(0) + unit;
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

function draw(chart) {
  const canvas = document.getElementById(chart.canvas);
  const width = canvas.width = canvas.clientWidth * devicePixelRatio;
  const height = canvas.height = canvas.clientHeight * devicePixelRatio;
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, width, height);
  const values = chart.lines.flatMap(([name]) => series[name]).filter(v => v !== null);
  const limit = chart.max ? series[chart.max].filter(v => v !== null) : [];
  const max = chart.fixedMax || Math.max(1e-9, ...values, ...limit);
  for (const [name, color] of chart.lines) {
    g.strokeStyle = color;
    g.lineWidth = devicePixelRatio * 1.5;
    g.beginPath();
    let drawing = false;
    series[name].forEach((value, i) => {
      if (value === null) { drawing = false; return; }
      const x = width * (i + WINDOW - series[name].length) / (WINDOW - 1);
      const y = height - 2 - (height - 4) * value / max;
      if (drawing) g.lineTo(x, y); else g.moveTo(x, y);
      drawing = true;
    });
    g.stroke();
  }
}
