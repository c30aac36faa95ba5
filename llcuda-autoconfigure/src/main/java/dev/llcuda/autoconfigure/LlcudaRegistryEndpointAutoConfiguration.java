package dev.llcuda.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import dev.llcuda.actuate.ModelRegistryEndpoint;
import dev.llcuda.actuate.UnknownFieldsAdvisor;
import dev.llcuda.registry.ModelPulls;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.runtime.ModelSet;

/** The {@code llcudamodels} Actuator endpoint over the model registry. */
@AutoConfiguration(after = LlcudaRegistryAutoConfiguration.class)
@ConditionalOnClass(ConditionalOnAvailableEndpoint.class)
@ConditionalOnBean(ModelRegistry.class)
@ConditionalOnAvailableEndpoint(ModelRegistryEndpoint.class)
public final class LlcudaRegistryEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ModelRegistryEndpoint llcudaModelRegistryEndpoint(ModelRegistry registry, ModelPulls pulls, ModelSet models) {
		return new ModelRegistryEndpoint(registry, pulls, models);
	}

	/** Writes with a field the operation does not take are refused, naming it. */
	@Bean
	UnknownFieldsAdvisor llcudaModelRegistryUnknownFieldsAdvisor() {
		return new UnknownFieldsAdvisor();
	}

}
