package dev.llcuda.nativelib;

/** A library file's SHA-256 is not the expected one; it was refused before loading. */
public final class ChecksumMismatchException extends NativeLibraryException {

	private final String file;

	private final String expected;

	private final String actual;

	ChecksumMismatchException(String file, String expected, String actual) {
		super("refusing to load " + file + ": SHA-256 mismatch, expected " + expected + " but the file has " + actual);
		this.file = file;
		this.expected = expected;
		this.actual = actual;
	}

	/** The file (or URL) whose content did not match. */
	public String file() {
		return file;
	}

	public String expected() {
		return expected;
	}

	public String actual() {
		return actual;
	}

}
