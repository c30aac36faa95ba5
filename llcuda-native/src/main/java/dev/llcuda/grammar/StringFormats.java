package dev.llcuda.grammar;

import java.util.Map;

/**
 * The string {@code format}s a schema can constrain, each as an anchored pattern that
 * matches only valid values: {@code date} (RFC 3339 full-date, years 1000 to 9999,
 * February 29 in leap years only), {@code time} (RFC 3339 full-time with its offset,
 * within ±17:59 as java.time-based validators accept only up to ±18:00; no leap second),
 * {@code date-time} and {@code uuid} (RFC 4122 text form).
 */
final class StringFormats {

	private static final String DATE = "(?:[1-9][0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
			+ "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
			+ "|(?:[1-9][0-9](?:0[48]|[2468][048]|[13579][26])|(?:[2468][048]|[13579][26])00)-02-29)";

	private static final String TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?"
			+ "(?:Z|[+-](?:0[0-9]|1[0-7]):[0-5][0-9])";

	private static final String HEX = "[0-9a-fA-F]";
	static final Map<String, String> PATTERNS = Map.of("date", "^" + DATE + "$", "time", "^" + TIME + "$", "date-time",
			"^" + DATE + "T" + TIME + "$", "uuid",
			"^" + HEX + "{8}-" + HEX + "{4}-" + HEX + "{4}-" + HEX + "{4}-" + HEX + "{12}$");

	private StringFormats() {
	}

}
