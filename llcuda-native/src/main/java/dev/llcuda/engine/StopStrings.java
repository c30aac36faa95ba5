package dev.llcuda.engine;

import java.util.List;

/**
 * Finds stop strings in text that arrives in pieces, and how much text to hold back
 * meanwhile.
 */
final class StopStrings {

	private final List<String> stops;

	private final int longest;

	StopStrings(List<String> stops) {
		this.stops = List.copyOf(stops);
		this.longest = stops.stream().mapToInt(String::length).max().orElse(0);
	}

	boolean isEmpty() {
		return stops.isEmpty();
	}

	/** Index in {@code text} where the earliest stop string begins, or -1. */
	int firstMatch(CharSequence text) {
		if (stops.isEmpty()) {
			return -1;
		}
		String s = text.toString();
		int first = -1;
		for (String stop : stops) {
			int at = s.indexOf(stop);
			if (at >= 0 && (first < 0 || at < first)) {
				first = at;
			}
		}
		return first;
	}

	/**
	 * Length of the longest suffix of {@code text} that begins some stop string: those
	 * characters may turn out to be a stop string once more text arrives, so they are not
	 * emitted yet.
	 */
	int heldBackLength(CharSequence text) {
		int max = Math.min(longest - 1, text.length());
		for (int k = max; k > 0; k--) {
			String suffix = text.subSequence(text.length() - k, text.length()).toString();
			for (String stop : stops) {
				if (stop.startsWith(suffix)) {
					return k;
				}
			}
		}
		return 0;
	}

}
