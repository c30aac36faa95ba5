package dev.llcuda.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The key-value metadata of a GGUF file, in file order, with typed accessors.
 *
 * <p>
 * The optional accessors ({@link #string}, {@link #integer}, ...) return empty when a key
 * is absent and throw {@link IllegalStateException} (naming file, offset, key and types)
 * when it holds another type. The {@code require...} accessors and the array accessors
 * throw {@link GgufFormatException} for both absence and a wrong type, for callers that
 * treat the file as untrusted input.
 */
public final class GgufMetadata {

	/** A value and the file offset where it starts, for error messages. */
	record Entry(String key, GgufValue value, long offset) {
	}

	private final Path path;

	private final LinkedHashMap<String, Entry> entries;

	GgufMetadata(Path path, LinkedHashMap<String, Entry> entries) {
		this.path = path;
		this.entries = entries;
	}

	/** The file this metadata was read from, for errors that name it. */
	public Path path() {
		return path;
	}

	/** The keys in file order. */
	public Set<String> keys() {
		return Collections.unmodifiableSet(entries.keySet());
	}

	public int size() {
		return entries.size();
	}

	public boolean contains(String key) {
		return entries.containsKey(key);
	}

	/**
	 * The value of {@code key}.
	 * @throws NoSuchElementException if the key is absent (use {@link #find} to probe)
	 */
	public GgufValue get(String key) {
		Entry entry = entries.get(key);
		if (entry == null) {
			throw new NoSuchElementException(path + ": no metadata key '" + key + "'");
		}
		return entry.value();
	}

	public Optional<GgufValue> find(String key) {
		return Optional.ofNullable(entries.get(key)).map(Entry::value);
	}

	/** The file offset where the value of {@code key} starts. */
	public OptionalLong offset(String key) {
		Entry entry = entries.get(key);
		return entry == null ? OptionalLong.empty() : OptionalLong.of(entry.offset());
	}

	public Optional<String> string(String key) {
		return optional(key, this::text);
	}

	public String requireString(String key) throws GgufFormatException {
		return text(require(key));
	}

	/** A value of any integer type. */
	public OptionalLong integer(String key) {
		Entry entry = entries.get(key);
		if (entry == null) {
			return OptionalLong.empty();
		}
		try {
			return OptionalLong.of(integer(entry));
		}
		catch (GgufFormatException e) {
			throw new IllegalStateException(e.getMessage(), e);
		}
	}

	public long requireInteger(String key) throws GgufFormatException {
		return integer(require(key));
	}

	/** A FLOAT32 or FLOAT64 value. */
	public Optional<Double> real(String key) {
		return optional(key, this::real);
	}

	public double requireReal(String key) throws GgufFormatException {
		return real(require(key));
	}

	public Optional<Boolean> bool(String key) {
		return optional(key, this::bool);
	}

	public boolean requireBool(String key) throws GgufFormatException {
		return bool(require(key));
	}

	/** An array of strings. */
	public String[] stringArray(String key) throws GgufFormatException {
		return strings(require(key));
	}

	public Optional<String[]> optStringArray(String key) {
		return optional(key, this::strings);
	}

	/** An array of FLOAT32 or FLOAT64 values, as floats. */
	public float[] floatArray(String key) throws GgufFormatException {
		return floats(require(key));
	}

	public Optional<float[]> optFloatArray(String key) {
		return optional(key, this::floats);
	}

	/** An array of integers of any type whose values all fit an int. */
	public int[] intArray(String key) throws GgufFormatException {
		return ints(require(key));
	}

	public Optional<int[]> optIntArray(String key) {
		return optional(key, this::ints);
	}

	/** The element count of the array at {@code key}, empty if absent or not an array. */
	public OptionalLong arrayLength(String key) {
		Entry entry = entries.get(key);
		return entry != null && entry.value() instanceof GgufValue.Array array ? OptionalLong.of(array.size())
				: OptionalLong.empty();
	}

	private interface Conversion<T> {

		T apply(Entry entry) throws GgufFormatException;

	}

	private <T> Optional<T> optional(String key, Conversion<T> conversion) {
		Entry entry = entries.get(key);
		if (entry == null) {
			return Optional.empty();
		}
		try {
			return Optional.of(conversion.apply(entry));
		}
		catch (GgufFormatException e) {
			throw new IllegalStateException(e.getMessage(), e);
		}
	}

	private Entry require(String key) throws GgufFormatException {
		Entry entry = entries.get(key);
		if (entry == null) {
			throw new GgufFormatException(path, GgufFormatException.NO_OFFSET, "missing metadata key '" + key + "'");
		}
		return entry;
	}

	private GgufFormatException wrongType(Entry entry, String expected) {
		return new GgufFormatException(path, entry.offset(),
				"metadata key '" + entry.key() + "' is " + entry.value().typeName() + ", expected " + expected);
	}

	private String text(Entry entry) throws GgufFormatException {
		if (entry.value() instanceof GgufValue.Text text) {
			return text.value();
		}
		throw wrongType(entry, "string");
	}

	private long integer(Entry entry) throws GgufFormatException {
		if (entry.value() instanceof GgufValue.Int i) {
			if (i.exceedsLong()) {
				throw new GgufFormatException(path, entry.offset(),
						"metadata key '" + entry.key() + "' = " + i.display() + " exceeds " + Long.MAX_VALUE);
			}
			return i.value();
		}
		throw wrongType(entry, "an integer");
	}

	private double real(Entry entry) throws GgufFormatException {
		if (entry.value() instanceof GgufValue.Real r) {
			return r.value();
		}
		throw wrongType(entry, "float32 or float64");
	}

	private boolean bool(Entry entry) throws GgufFormatException {
		if (entry.value() instanceof GgufValue.Bool b) {
			return b.value();
		}
		throw wrongType(entry, "bool");
	}

	private List<GgufValue> elements(Entry entry, @Nullable GgufValueType expected, String expectedName)
			throws GgufFormatException {
		if (entry.value() instanceof GgufValue.Array array) {
			boolean matches = expected == null ? array.elementType().isInteger() : array.elementType() == expected
					|| expected == GgufValueType.FLOAT32 && array.elementType() == GgufValueType.FLOAT64;
			if (matches || array.elements().isEmpty()) {
				return array.elements();
			}
		}
		throw wrongType(entry, expectedName);
	}

	private String[] strings(Entry entry) throws GgufFormatException {
		List<GgufValue> elements = elements(entry, GgufValueType.STRING, "array<string>");
		String[] out = new String[elements.size()];
		for (int i = 0; i < out.length; i++) {
			out[i] = ((GgufValue.Text) elements.get(i)).value();
		}
		return out;
	}

	private float[] floats(Entry entry) throws GgufFormatException {
		List<GgufValue> elements = elements(entry, GgufValueType.FLOAT32, "array<float32>");
		float[] out = new float[elements.size()];
		for (int i = 0; i < out.length; i++) {
			out[i] = (float) ((GgufValue.Real) elements.get(i)).value();
		}
		return out;
	}

	private int[] ints(Entry entry) throws GgufFormatException {
		List<GgufValue> elements = elements(entry, null, "an array of integers");
		int[] out = new int[elements.size()];
		for (int i = 0; i < out.length; i++) {
			long value = ((GgufValue.Int) elements.get(i)).value();
			if (value != (int) value) {
				throw new GgufFormatException(path, entry.offset(), "element " + i + " of metadata key '" + entry.key()
						+ "' = " + elements.get(i).display() + " does not fit an int");
			}
			out[i] = (int) value;
		}
		return out;
	}

}
