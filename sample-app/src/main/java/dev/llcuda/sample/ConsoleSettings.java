package dev.llcuda.sample;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The operator console's live reading, sent as server-sent events
 * ({@code GET /api/console/events}).
 */
@ConfigurationProperties("sample.console")
public class ConsoleSettings {

	/** Time between two readings sent to each open console. */
	private Duration interval = Duration.ofSeconds(1);

	/**
	 * Open event streams at most; one more is refused with 429 (each holds a connection).
	 */
	private int maxStreams = 16;

	public Duration getInterval() {
		return this.interval;
	}

	public void setInterval(Duration interval) {
		this.interval = interval;
	}

	public int getMaxStreams() {
		return this.maxStreams;
	}

	public void setMaxStreams(int maxStreams) {
		this.maxStreams = maxStreams;
	}

}
