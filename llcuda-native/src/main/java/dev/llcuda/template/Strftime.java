package dev.llcuda.template;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/** Python's {@code strftime} for the directives chat templates use, in the C locale. */
final class Strftime {

	private Strftime() {
	}

	static String format(String pattern, ZonedDateTime t) {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < pattern.length(); i++) {
			char c = pattern.charAt(i);
			if (c != '%' || i + 1 >= pattern.length()) {
				sb.append(c);
				continue;
			}
			char d = pattern.charAt(++i);
			// glibc's '-' flag drops the zero padding: %-d gives "5" rather than "05".
			boolean unpadded = d == '-' && i + 1 < pattern.length();
			if (unpadded) {
				d = pattern.charAt(++i);
			}
			sb.append(directive(d, t, unpadded));
		}
		return sb.toString();
	}

	private static String directive(char d, ZonedDateTime t, boolean unpadded) {
		return switch (d) {
			case 'Y' -> Integer.toString(t.getYear());
			case 'y' -> pad(t.getYear() % 100, 2, unpadded);
			case 'm' -> pad(t.getMonthValue(), 2, unpadded);
			case 'd' -> pad(t.getDayOfMonth(), 2, unpadded);
			case 'e' -> String.format("%2d", t.getDayOfMonth());
			case 'H' -> pad(t.getHour(), 2, unpadded);
			case 'I' -> pad((t.getHour() + 11) % 12 + 1, 2, unpadded);
			case 'M' -> pad(t.getMinute(), 2, unpadded);
			case 'S' -> pad(t.getSecond(), 2, unpadded);
			case 'j' -> pad(t.getDayOfYear(), 3, unpadded);
			case 'p' -> t.getHour() < 12 ? "AM" : "PM";
			case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
			case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
			case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
			case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
			case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
			case '%' -> "%";
			default -> throw new EvalError("unsupported strftime directive '%" + d + "'");
		};
	}

	private static String pad(int value, int width, boolean unpadded) {
		return unpadded ? Integer.toString(value) : String.format("%0" + width + "d", value);
	}

}
