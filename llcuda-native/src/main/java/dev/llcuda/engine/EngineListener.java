package dev.llcuda.engine;

import java.time.Duration;

/**
 * Latency samples for histograms (e.g. Micrometer timers). Called on the engine thread:
 * keep implementations fast and non-blocking.
 */
public interface EngineListener {

	EngineListener NONE = new EngineListener() {
	};

	/** From submission to the first generated token of a request. */
	default void timeToFirstToken(Duration latency) {
	}

	/** Between two consecutive generated tokens of one request. */
	default void interTokenLatency(Duration latency) {
	}

	/** A request finished, for whatever reason. */
	default void finished(GenerationResult result) {
	}

}
