package dev.llcuda.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Entry point of {@code bin/llcuda}: dispatches to one {@link Command} per subcommand.
 */
public final class Main {

	private static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

	static {
		// One line per subcommand; each command lives in its own class in this package.
		COMMANDS.put("inspect", new InspectCommand());
		COMMANDS.put("tokenize", new TokenizeCommand());
		COMMANDS.put("logits", new LogitsCommand());
		COMMANDS.put("generate", new GenerateCommand());
		COMMANDS.put("chat-template", new ChatTemplateCommand());
		COMMANDS.put("bench", new BenchCommand());
		COMMANDS.put("pull", new PullCommand());
		COMMANDS.put("convert", new ConvertCommand());
		COMMANDS.put("merge", new MergeCommand());
	}

	private Main() {
	}

	public static void main(String[] args) {
		System.exit(run(args, System.out, System.err));
	}

	/**
	 * Runs one command with the given streams instead of the process's, and returns its
	 * exit code: 0 on success, 1 when it failed (the reason on {@code err}), 2 for a
	 * usage mistake.
	 */
	public static int run(String[] args, PrintStream out, PrintStream err) {
		if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
			usage(out);
			return args.length == 0 ? 2 : 0;
		}
		Command command = COMMANDS.get(args[0]);
		if (command == null) {
			err.println("llcuda: unknown command '" + args[0] + "'");
			usage(err);
			return 2;
		}
		try {
			return command.run(new Arguments(Arrays.copyOfRange(args, 1, args.length)), out, err);
		}
		catch (UsageException e) {
			err.println("llcuda " + args[0] + ": " + e.getMessage());
			err.println("usage: llcuda " + args[0] + " " + command.usage());
			return 2;
		}
		catch (Exception e) {
			err.println("llcuda " + args[0] + ": " + e.getMessage());
			return 1;
		}
	}

	private static void usage(PrintStream out) {
		out.println("usage: llcuda COMMAND [ARGS]");
		COMMANDS.forEach((name, command) -> out.printf("  %-14s %s%n", name, command.summary()));
	}

}
