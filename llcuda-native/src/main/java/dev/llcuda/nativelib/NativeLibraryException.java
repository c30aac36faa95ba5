package dev.llcuda.nativelib;

/**
 * The native library could not be found, fetched, verified or loaded; the message says
 * why.
 */
public class NativeLibraryException extends RuntimeException {

	public NativeLibraryException(String message) {
		super(message);
	}

	public NativeLibraryException(String message, Throwable cause) {
		super(message, cause);
	}

}
