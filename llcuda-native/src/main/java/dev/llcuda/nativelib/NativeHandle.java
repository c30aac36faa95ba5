package dev.llcuda.nativelib;

import com.sun.jna.Pointer;
import org.jspecify.annotations.Nullable;

/**
 * One native handle: freed once on {@link #close()}, refused afterwards, and the source
 * of the message of a failing call on it. Like the native side, a handle is used by one
 * thread at a time.
 */
abstract class NativeHandle implements AutoCloseable {

	final LlcudaLibrary api;

	private final String what;

	private @Nullable Pointer pointer;

	NativeHandle(LlcudaLibrary api, Pointer pointer, String what) {
		this.api = api;
		this.pointer = pointer;
		this.what = what;
	}

	/** The live pointer; throws when the handle was closed. */
	final Pointer pointer() {
		if (pointer == null) {
			throw new IllegalStateException("this " + what + " is closed");
		}
		return pointer;
	}

	/**
	 * Throws a {@link NativeException} with this handle's last error unless
	 * {@code status} is OK.
	 */
	final void check(int status) {
		NativeException.check(status, () -> lastError(pointer()));
	}

	abstract String lastError(Pointer handle);

	abstract void free(Pointer handle);

	@Override
	public final void close() {
		if (pointer != null) {
			Pointer handle = pointer;
			pointer = null;
			free(handle);
		}
	}

}
