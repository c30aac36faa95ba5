package dev.llcuda.registry;

import java.nio.file.Path;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * One registered model.
 *
 * @param id registry id
 * @param path absolute, real path of the GGUF file
 * @param sha256 hex SHA-256 of the file when registered
 * @param sizeBytes file size when registered
 * @param facts what the file says about itself
 * @param status where it stands
 * @param statusMessage why, for failures
 * @param registeredAt when it was registered
 * @param verifiedAt when its checksum was last verified
 * @param activatedAt when it was last activated
 */
public record ModelRecord(long id, Path path, String sha256, long sizeBytes, ModelFacts facts, ModelStatus status,
		@Nullable String statusMessage, Instant registeredAt, @Nullable Instant verifiedAt,
		@Nullable Instant activatedAt) {
}
