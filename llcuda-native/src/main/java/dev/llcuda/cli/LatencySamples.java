package dev.llcuda.cli;

import dev.llcuda.engine.EngineListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Collects the engine's latency samples for one benchmark level and reports percentiles.
 */
final class LatencySamples implements EngineListener {

	private final List<Long> firstToken = Collections.synchronizedList(new ArrayList<>());

	private final List<Long> interToken = Collections.synchronizedList(new ArrayList<>());

	@Override
	public void timeToFirstToken(Duration latency) {
		firstToken.add(latency.toNanos());
	}

	@Override
	public void interTokenLatency(Duration latency) {
		interToken.add(latency.toNanos());
	}

	void clear() {
		firstToken.clear();
		interToken.clear();
	}

	/**
	 * Percentile {@code p} (0-100, nearest rank) of time to first token, in milliseconds.
	 */
	double firstTokenMillis(double p) {
		return percentile(firstToken, p) / 1e6;
	}

	double interTokenMillis(double p) {
		return percentile(interToken, p) / 1e6;
	}

	private static double percentile(List<Long> samples, double p) {
		List<Long> sorted;
		synchronized (samples) {
			sorted = new ArrayList<>(samples);
		}
		if (sorted.isEmpty()) {
			return Double.NaN;
		}
		Collections.sort(sorted);
		int rank = (int) Math.ceil(p / 100.0 * sorted.size());
		return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
	}

}
