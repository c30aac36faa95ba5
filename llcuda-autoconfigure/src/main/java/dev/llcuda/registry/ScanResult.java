package dev.llcuda.registry;

import java.nio.file.Path;
import java.util.List;

/**
 * What a scan of a model folder did.
 *
 * @param added the models registered now
 * @param refused the files that could not be registered, each with the reason
 */
public record ScanResult(List<ModelRecord> added, List<Refused> refused) {

	public ScanResult {
		added = List.copyOf(added);
		refused = List.copyOf(refused);
	}

	/**
	 * A file the scan could not register, and why (unreadable, not a model llcuda runs).
	 */
	public record Refused(Path file, String reason) {
	}
}
