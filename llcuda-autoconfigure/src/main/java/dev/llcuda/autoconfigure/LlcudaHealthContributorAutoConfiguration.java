package dev.llcuda.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.context.annotation.Bean;

import dev.llcuda.actuate.LlcudaHealthIndicator;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.ModelSet;
import dev.llcuda.runtime.NativeRuntime;

/** The {@code llcuda} health contributor. */
@AutoConfiguration(after = LlcudaAutoConfiguration.class)
@ConditionalOnClass(AbstractHealthIndicator.class)
@ConditionalOnBean(ModelSet.class)
@ConditionalOnEnabledHealthIndicator("llcuda")
public final class LlcudaHealthContributorAutoConfiguration {

	@Bean(name = "llcudaHealthContributor")
	@ConditionalOnMissingBean(name = "llcudaHealthContributor")
	LlcudaHealthIndicator llcudaHealthContributor(ModelSet models, NativeRuntime nativeRuntime, GpuMonitor gpu) {
		return new LlcudaHealthIndicator(models, nativeRuntime, gpu);
	}

}
