package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import dev.llcuda.actuate.ModelRegistryEndpoint;
import dev.llcuda.autoconfigure.LlcudaAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaRegistryAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaRegistryEndpointAutoConfiguration;

/**
 * The starter (its auto-configuration alone, as in any application) opens nothing: the
 * registry endpoint, and its writes, exist only when the application opens them.
 */
class RegistryEndpointExposureTests {

	@TempDir
	Path temp;

	private WebApplicationContextRunner runner() throws IOException {
		Path library = Files.writeString(this.temp.resolve("libllcuda.so"), "not a library");
		return new WebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(LlcudaAutoConfiguration.class,
					LlcudaRegistryAutoConfiguration.class, LlcudaRegistryEndpointAutoConfiguration.class,
					EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class))
			.withPropertyValues("llcuda.native.library-path=" + library,
					"llcuda.native.library-sha256=" + "0".repeat(64),
					"llcuda.native.cache-dir=" + this.temp.resolve("cache"),
					"llcuda.registry.database-file=" + this.temp.resolve("registry"),
					"llcuda.registry.model-folders=" + Files.createDirectories(this.temp.resolve("models")),
					"llcuda.gpu.enabled=false");
	}

	@Test
	void withBootsDefaultExposureTheRegistryEndpointDoesNotExist() throws IOException {
		runner().run(context -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(ModelRegistryEndpoint.class);
			assertThat(registryOperations(context)).isEmpty();
		});
	}

	@Test
	void exposedItOffersOnlyItsReadsUntilTheApplicationGrantsUnrestrictedAccess() throws IOException {
		runner().withPropertyValues("management.endpoints.web.exposure.include=llcudamodels").run(context -> {
			assertThat(context).hasSingleBean(ModelRegistryEndpoint.class);
			assertThat(registryOperations(context)).containsOnly(OperationType.READ);
		});
		runner()
			.withPropertyValues("management.endpoints.web.exposure.include=llcudamodels",
					"management.endpoint.llcudamodels.access=UNRESTRICTED")
			.run(context -> assertThat(registryOperations(context)).contains(OperationType.READ, OperationType.WRITE,
					OperationType.DELETE));
	}

	private static List<OperationType> registryOperations(AssertableWebApplicationContext context) {
		return context.getBean(WebEndpointsSupplier.class)
			.getEndpoints()
			.stream()
			.filter(endpoint -> endpoint.getEndpointId().toString().equals("llcudamodels"))
			.map(ExposableWebEndpoint::getOperations)
			.flatMap(operations -> operations.stream())
			.map(WebOperation::getType)
			.toList();
	}

}
