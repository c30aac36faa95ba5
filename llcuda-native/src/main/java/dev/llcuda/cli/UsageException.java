package dev.llcuda.cli;

import org.jspecify.annotations.Nullable;

/** Wrong command-line arguments; the message says which. */
final class UsageException extends Exception {

	UsageException(@Nullable String message) {
		super(message);
	}

}
