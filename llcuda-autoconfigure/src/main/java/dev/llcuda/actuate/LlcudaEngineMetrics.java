package dev.llcuda.actuate;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.llcuda.engine.EngineStats;
import dev.llcuda.runtime.ChatSlot;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelSet;

/**
 * Gauges of the engine serving now: queue depth, running sequences (batch occupancy),
 * KV-cache usage and prefix-cache hit rate (NaN while no model is served); and how many
 * failed engines were brought back by reloading their model. Each chat model of the set
 * also has its running, queued and KV-cache usage gauges tagged {@code model} (its name,
 * {@value #DEFAULT_MODEL_TAG} for the one named after its file).
 */
public final class LlcudaEngineMetrics implements MeterBinder {

	public static final String QUEUED = "llcuda.requests.queued";

	public static final String RUNNING = "llcuda.sequences.running";

	public static final String KV_CACHE_USAGE = "llcuda.kv.cache.usage";

	public static final String KV_BLOCKS_USED = "llcuda.kv.cache.blocks.used";

	public static final String KV_BLOCKS_TOTAL = "llcuda.kv.cache.blocks.total";

	public static final String PREFIX_CACHE_HIT_RATE = "llcuda.prefix.cache.hit.rate";

	public static final String RECOVERIES = "llcuda.engine.recoveries";

	/** Sequences running in one model of the set, tagged {@code model}. */
	public static final String MODEL_RUNNING = "llcuda.model.sequences.running";

	/** Requests waiting in one model of the set, tagged {@code model}. */
	public static final String MODEL_QUEUED = "llcuda.model.requests.queued";

	/** KV-cache usage of one model of the set, tagged {@code model}. */
	public static final String MODEL_KV_CACHE_USAGE = "llcuda.model.kv.cache.usage";

	/**
	 * The {@code model} tag of the chat model named after its file
	 * ({@code llcuda.model.path}, registry activations).
	 */
	public static final String DEFAULT_MODEL_TAG = "default";

	private final LlcudaRuntime runtime;

	private final ModelSet models;

	public LlcudaEngineMetrics(ModelSet models) {
		this.models = models;
		this.runtime = models.defaultChat();
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		gauge(registry, QUEUED, "requests", "Requests admitted and waiting to start", EngineStats::queued);
		gauge(registry, RUNNING, "sequences", "Sequences in the running batch", EngineStats::running);
		gauge(registry, KV_CACHE_USAGE, "ratio", "Share of KV-cache blocks held by sequences",
				stats -> stats.kvBlocksTotal() == 0 ? 0.0 : (double) stats.kvBlocksUsed() / stats.kvBlocksTotal());
		gauge(registry, KV_BLOCKS_USED, "blocks", "KV-cache blocks held by sequences", EngineStats::kvBlocksUsed);
		gauge(registry, KV_BLOCKS_TOTAL, "blocks", "KV-cache blocks allocated", EngineStats::kvBlocksTotal);
		gauge(registry, PREFIX_CACHE_HIT_RATE, "ratio", "Share of prompt tokens found in the prefix cache",
				EngineStats::prefixCacheHitRate);
		FunctionCounter.builder(RECOVERIES, this.runtime, LlcudaRuntime::recoveries)
			.baseUnit("recoveries")
			.description("Failed engines brought back by reloading their model")
			.register(registry);
		for (ChatSlot slot : this.models.chats()) {
			String model = slot.configuredName() != null ? slot.configuredName() : DEFAULT_MODEL_TAG;
			modelGauge(registry, slot.runtime(), model, MODEL_RUNNING, "sequences",
					"Sequences in the model's running batch", EngineStats::running);
			modelGauge(registry, slot.runtime(), model, MODEL_QUEUED, "requests", "Requests waiting for the model",
					EngineStats::queued);
			modelGauge(registry, slot.runtime(), model, MODEL_KV_CACHE_USAGE, "ratio",
					"Share of the model's KV-cache blocks held by sequences",
					stats -> stats.kvBlocksTotal() == 0 ? 0.0 : (double) stats.kvBlocksUsed() / stats.kvBlocksTotal());
		}
	}

	private static void modelGauge(MeterRegistry registry, LlcudaRuntime runtime, String model, String name,
			String unit, String description, ToDoubleFunction<EngineStats> value) {
		Gauge
			.builder(name, runtime,
					served -> served.serving()
						.map(serving -> value.applyAsDouble(serving.engine().stats()))
						.orElse(Double.NaN))
			.tag("model", model)
			.baseUnit(unit)
			.description(description)
			.register(registry);
	}

	private void gauge(MeterRegistry registry, String name, String unit, String description,
			ToDoubleFunction<EngineStats> value) {
		Gauge
			.builder(name, this.runtime,
					runtime -> runtime.serving()
						.map(model -> value.applyAsDouble(model.engine().stats()))
						.orElse(Double.NaN))
			.baseUnit(unit)
			.description(description)
			.register(registry);
	}

}
