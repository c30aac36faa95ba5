package dev.llcuda.runtime;

import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.llcuda.gpu.CudaInventory;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryException;
import dev.llcuda.nativelib.NativeLibraryOptions;

/**
 * The native library as the application got it: loaded and verified, or refused with the
 * reason (a checksum mismatch, a missing file, another ABI). A refusal does not stop the
 * application; health reports it as DOWN.
 */
public final class NativeRuntime {

	private static final Logger logger = LoggerFactory.getLogger(NativeRuntime.class);

	private final @Nullable NativeLibrary library;

	private final @Nullable String failure;

	private NativeRuntime(@Nullable NativeLibrary library, @Nullable String failure) {
		this.library = library;
		this.failure = failure;
	}

	public static NativeRuntime load(NativeLibraryOptions options) {
		try {
			NativeLibrary library = NativeLibrary.load(options);
			logger.info("llcuda native library {} (SHA-256 {}): {}", library.path(), library.sha256(),
					library.buildInfo());
			return new NativeRuntime(library, null);
		}
		catch (NativeLibraryException e) {
			logger.error("llcuda native library not loaded: {}", e.getMessage());
			return new NativeRuntime(null, e.getMessage());
		}
	}

	public Optional<NativeLibrary> library() {
		return Optional.ofNullable(this.library);
	}

	/** Why the library was not loaded; empty when it was. */
	public Optional<String> failure() {
		return Optional.ofNullable(this.failure);
	}

	/** The CUDA devices the library sees; none, with the reason, when it did not load. */
	public CudaInventory cudaInventory() {
		if (this.library == null) {
			return CudaInventory.none("the native library is not loaded (" + this.failure + ")");
		}
		return CudaInventory.query(this.library);
	}

}
