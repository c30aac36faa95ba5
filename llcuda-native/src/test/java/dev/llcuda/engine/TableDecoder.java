package dev.llcuda.engine;

import java.util.Map;

/**
 * Test detokenizer: token t reads as one to three letters, some followed by a space; 0-2
 * are special (no text).
 */
final class TableDecoder implements TokenDecoder {

	private final Map<Integer, String> overrides;

	TableDecoder(Map<Integer, String> overrides) {
		this.overrides = Map.copyOf(overrides);
	}

	TableDecoder() {
		this(Map.of());
	}

	String piece(int t) {
		String override = overrides.get(t);
		if (override != null) {
			return override;
		}
		if (t < 3) {
			return "";
		}
		StringBuilder s = new StringBuilder().append((char) ('a' + t % 26));
		if (t % 3 == 0) {
			s.append((char) ('a' + (t / 26) % 26));
		}
		if (t % 7 == 0) {
			s.append(' ');
		}
		return s.toString();
	}

	@Override
	public IncrementalDecoder newDecoder() {
		return new IncrementalDecoder() {
			@Override
			public String push(int tokenId) {
				return piece(tokenId);
			}

			@Override
			public String flush() {
				return "";
			}
		};
	}

}
