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
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.NativeRuntime;

/** The {@code llcuda} health contributor. */
@AutoConfiguration(after = LlcudaAutoConfiguration.class)
@ConditionalOnClass(AbstractHealthIndicator.class)
@ConditionalOnBean(LlcudaRuntime.class)
@ConditionalOnEnabledHealthIndicator("llcuda")
public final class LlcudaHealthContributorAutoConfiguration {

    @Bean(name = "llcudaHealthContributor")
    @ConditionalOnMissingBean(name = "llcudaHealthContributor")
    LlcudaHealthIndicator llcudaHealthContributor(LlcudaRuntime runtime, NativeRuntime nativeRuntime,
            GpuMonitor gpu) {
        return new LlcudaHealthIndicator(runtime, nativeRuntime, gpu);
    }
}
