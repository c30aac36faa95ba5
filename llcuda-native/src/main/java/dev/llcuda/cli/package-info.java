/**
 * The {@code llcuda} command-line tool: {@code Main} runs one {@code Command} per
 * subcommand.
 */
@NullMarked
package dev.llcuda.cli;

import org.jspecify.annotations.NullMarked;
