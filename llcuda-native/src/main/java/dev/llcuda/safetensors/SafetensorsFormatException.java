package dev.llcuda.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A safetensors file or index that breaks the format, with the file (and tensor, when one
 * is at fault) named.
 */
public final class SafetensorsFormatException extends IOException {

	private static final long serialVersionUID = 1L;

	public SafetensorsFormatException(Path path, String problem) {
		super(path + ": " + problem);
	}

	public SafetensorsFormatException(Path path, String tensor, String problem) {
		super(path + ": tensor '" + tensor + "': " + problem);
	}

}
