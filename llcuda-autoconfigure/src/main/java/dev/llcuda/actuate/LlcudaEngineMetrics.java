package dev.llcuda.actuate;

import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import dev.llcuda.engine.EngineStats;
import dev.llcuda.runtime.LlcudaRuntime;

/**
 * Gauges of the engine serving now: queue depth, running sequences (batch occupancy), KV-cache
 * usage and prefix-cache hit rate (NaN while no model is served); and how many failed engines were
 * brought back by reloading their model.
 */
public final class LlcudaEngineMetrics implements MeterBinder {

    public static final String QUEUED = "llcuda.requests.queued";
    public static final String RUNNING = "llcuda.sequences.running";
    public static final String KV_CACHE_USAGE = "llcuda.kv.cache.usage";
    public static final String KV_BLOCKS_USED = "llcuda.kv.cache.blocks.used";
    public static final String KV_BLOCKS_TOTAL = "llcuda.kv.cache.blocks.total";
    public static final String PREFIX_CACHE_HIT_RATE = "llcuda.prefix.cache.hit.rate";
    public static final String RECOVERIES = "llcuda.engine.recoveries";

    private final LlcudaRuntime runtime;

    public LlcudaEngineMetrics(LlcudaRuntime runtime) {
        this.runtime = runtime;
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
        FunctionCounter.builder(RECOVERIES, this.runtime, LlcudaRuntime::recoveries).baseUnit("recoveries")
                .description("Failed engines brought back by reloading their model").register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
            ToDoubleFunction<EngineStats> value) {
        Gauge.builder(name, this.runtime,
                runtime -> runtime.serving().map(model -> value.applyAsDouble(model.engine().stats())).orElse(Double.NaN))
                .baseUnit(unit).description(description).register(registry);
    }
}
