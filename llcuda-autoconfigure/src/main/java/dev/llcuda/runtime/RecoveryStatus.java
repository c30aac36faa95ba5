package dev.llcuda.runtime;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Where the recovery of a failed engine stands, as health reports it.
 *
 * @param model the file being reloaded
 * @param attempt the number of the next attempt (1 for the first)
 * @param nextAttempt when it runs
 * @param lastError why the engine failed, or why the previous attempt did
 */
public record RecoveryStatus(Path model, int attempt, Instant nextAttempt, String lastError) {
}
