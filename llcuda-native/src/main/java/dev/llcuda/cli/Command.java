package dev.llcuda.cli;

import java.io.PrintStream;

/** One subcommand of {@code bin/llcuda}. */
interface Command {

	/** One line for the command list. */
	String summary();

	/** The argument synopsis, e.g. {@code "MODEL.gguf"}. */
	String usage();

	/** Runs the command; returns the process exit code. */
	int run(Arguments args, PrintStream out, PrintStream err) throws Exception;

}
