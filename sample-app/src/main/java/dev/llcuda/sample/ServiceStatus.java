package dev.llcuda.sample;

import org.jspecify.annotations.Nullable;

import org.springframework.stereotype.Component;

import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.RuntimeState;

/** What the page and the API say about the service: the model served, or why none is. */
@Component
public class ServiceStatus {

	private final LlcudaRuntime runtime;

	private final boolean demo;

	public ServiceStatus(LlcudaRuntime runtime, DemoSettings demo) {
		this.runtime = runtime;
		this.demo = demo.isEnabled();
	}

	public View view() {
		RuntimeState state = this.runtime.state();
		String model = this.runtime.serving().map(serving -> serving.spec().name()).orElse(null);
		String message = switch (state) {
			case READY -> "Serving " + model + ".";
			case LOADING -> "Loading " + this.runtime.loading().map(Object::toString).orElse("the model") + "...";
			case FAILED -> "llcuda failed: " + this.runtime.failure().orElse("unknown reason");
			case RECOVERING -> this.runtime.recovery()
				.map(recovery -> "The engine failed (" + recovery.lastError() + "); reloading " + recovery.model()
						+ ", attempt " + recovery.attempt() + " at " + recovery.nextAttempt() + ".")
				.orElse("The engine failed; reloading the model.");
			case STOPPED -> "The service is stopping.";
			case NO_MODEL -> "No model is loaded. To serve one, " + LlcudaRuntime.HOW_TO_LOAD
					+ ". For a quick look without a model, run bin/serve (the demo profile).";
		};
		return new View(state.name(), model, message, this.demo ? DemoSettings.WARNING : null);
	}

	/**
	 * @param state the runtime state (READY, LOADING, NO_MODEL, RECOVERING, FAILED,
	 * STOPPED)
	 * @param model the model's name, or null
	 * @param message one sentence for people
	 * @param demoWarning set when the demo's random-weight model is served
	 */
	public record View(String state, @Nullable String model, String message, @Nullable String demoWarning) {
	}

}
