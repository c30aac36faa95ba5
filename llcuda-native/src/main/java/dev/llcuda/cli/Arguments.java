package dev.llcuda.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** Parsed {@code --name value} options and positional arguments of one subcommand. */
final class Arguments {

	private final Map<String, String> options = new HashMap<>();

	private final Map<String, List<String>> repeated = new HashMap<>();

	private final List<String> positional = new ArrayList<>();

	Arguments(String[] args) throws UsageException {
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg)) {
				if (i + 1 >= args.length) {
					throw new UsageException("option " + arg + " needs a value");
				}
				options.put(arg, args[++i]);
				repeated.computeIfAbsent(arg, k -> new ArrayList<>()).add(args[i]);
			}
			else {
				positional.add(arg);
			}
		}
	}

	/** Refuses any option but {@code known}, naming it and the ones the command takes. */
	void refuseOptionsOtherThan(String... known) throws UsageException {
		List<String> allowed = List.of(known);
		for (String name : repeated.keySet()) {
			if (!allowed.contains(name)) {
				throw new UsageException("unknown option " + name + " (options: " + String.join(", ", allowed) + ")");
			}
		}
	}

	/** Every value of an option given several times, in order. */
	List<String> values(String name) {
		return List.copyOf(repeated.getOrDefault(name, List.of()));
	}

	Optional<String> option(String name) {
		return Optional.ofNullable(options.get(name));
	}

	String required(String name) throws UsageException {
		return option(name).orElseThrow(() -> new UsageException("missing option " + name));
	}

	/** The integer option {@code name}, or {@code fallback} when it is absent. */
	int intOption(String name, int fallback) throws UsageException {
		return number(name, fallback, Integer::parseInt, "an integer");
	}

	/** The 64-bit integer option {@code name}, or {@code fallback} when it is absent. */
	long longOption(String name, long fallback) throws UsageException {
		return number(name, fallback, Long::parseLong, "an integer");
	}

	/** The number option {@code name}, or {@code fallback} when it is absent. */
	float floatOption(String name, float fallback) throws UsageException {
		return number(name, fallback, Float::parseFloat, "a number");
	}

	private <T> T number(String name, T fallback, Function<String, T> parse, String kind) throws UsageException {
		String value = options.get(name);
		if (value == null) {
			return fallback;
		}
		try {
			return parse.apply(value);
		}
		catch (NumberFormatException e) {
			throw new UsageException(name + " must be " + kind + ": " + value);
		}
	}

	List<String> positional() {
		return positional;
	}

	String positional(int index, String what) throws UsageException {
		if (index >= positional.size()) {
			throw new UsageException("missing " + what);
		}
		return positional.get(index);
	}

	private static boolean isNumber(String arg) {
		try {
			Double.parseDouble(arg);
			return true;
		}
		catch (NumberFormatException e) {
			return false;
		}
	}

}
