package dev.llcuda.sample;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The web server's grace period follows the engine's:
 * {@code spring.lifecycle.timeout-per-shutdown-phase} defaults to
 * {@code llcuda.engine.shutdown-timeout}. The drain of {@link InFlightRequests} takes
 * that long at most, so the whole stop stays within it and a few seconds.
 */
public class ShutdownGracePeriod implements EnvironmentPostProcessor, Ordered {

	static final String PHASE_TIMEOUT = "spring.lifecycle.timeout-per-shutdown-phase";

	static final String SHUTDOWN_TIMEOUT = "llcuda.engine.shutdown-timeout";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if (environment.containsProperty(PHASE_TIMEOUT)) {
			return;
		}
		String configured = environment.getProperty(SHUTDOWN_TIMEOUT);
		// plain numbers are seconds, as LlcudaProperties reads them
		Duration timeout = configured == null || configured.isBlank() ? Duration.ofSeconds(30)
				: DurationStyle.detectAndParse(configured.strip(), ChronoUnit.SECONDS);
		environment.getPropertySources()
			.addLast(new MapPropertySource("llcudaShutdownGracePeriod",
					Map.of(PHASE_TIMEOUT, timeout.toMillis() + "ms")));
	}

	/** After the configuration files are read. */
	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

}
