package dev.llcuda.cli;

/** Wrong command-line arguments; the message says which. */
final class UsageException extends Exception {

    UsageException(String message) {
        super(message);
    }
}
