package dev.llcuda.autoconfigure;

import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.llcuda.actuate.LlcudaEngineMetrics;
import dev.llcuda.actuate.LlcudaGpuMetrics;
import dev.llcuda.actuate.LlcudaRequestMetrics;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.ModelSet;

/**
 * Micrometer meters of llcuda (bound to every registry Spring Boot configures). Runs
 * before the runtime so engines report their latencies to {@link LlcudaRequestMetrics}.
 */
@AutoConfiguration(before = LlcudaAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
public final class LlcudaMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LlcudaRequestMetrics llcudaRequestMetrics() {
		return new LlcudaRequestMetrics();
	}

	@Bean
	@ConditionalOnMissingBean
	LlcudaEngineMetrics llcudaEngineMetrics(ModelSet models) {
		return new LlcudaEngineMetrics(models);
	}

	@Bean
	@ConditionalOnMissingBean
	LlcudaGpuMetrics llcudaGpuMetrics(GpuMonitor monitor) {
		return new LlcudaGpuMetrics(monitor);
	}

}
