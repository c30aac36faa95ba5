package dev.llcuda.nativelib;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** A native call returned a status other than OK; the message is the library's own. */
public final class NativeException extends RuntimeException {

	private final Status status;

	private final int code;

	private final String detail;

	NativeException(int code, String message) {
		super(Status.of(code) + " (" + code + "): " + message);
		this.status = Status.of(code);
		this.code = code;
		this.detail = message;
	}

	/**
	 * The same status with {@code context} (e.g. the file concerned) before the library's
	 * message.
	 */
	NativeException within(String context) {
		NativeException wrapped = new NativeException(code, context + ": " + detail);
		wrapped.setStackTrace(getStackTrace());
		return wrapped;
	}

	public Status status() {
		return status;
	}

	/**
	 * The raw status code (differs from {@link #status()}'s only for
	 * {@link Status#UNKNOWN}).
	 */
	public int code() {
		return code;
	}

	/**
	 * Throws when {@code code} is not OK, with the message {@code lastError} gives at
	 * that moment.
	 */
	static void check(int code, Supplier<@Nullable String> lastError) {
		if (code != Status.OK.code()) {
			String message = lastError.get();
			throw new NativeException(code, message == null || message.isEmpty() ? "(no message)" : message);
		}
	}

}
