package dev.llcuda.gguf;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One typed GGUF metadata value. Integers of every width share {@link Int}, floats
 * {@link Real}; arrays keep their element type, and their elements may be arrays again.
 */
public sealed interface GgufValue
		permits GgufValue.Int, GgufValue.Real, GgufValue.Bool, GgufValue.Text, GgufValue.Array {

	/** The type as written in the file. */
	GgufValueType type();

	/**
	 * The type as {@code inspect} shows it, e.g. {@code uint32} or {@code array<string>}.
	 */
	default String typeName() {
		return type().displayName();
	}

	/** The value in full, strings quoted and escaped. */
	default String display() {
		return display(Integer.MAX_VALUE, Integer.MAX_VALUE);
	}

	/**
	 * The value with arrays cut after {@code maxElements} elements and strings after
	 * {@code maxChars} characters, each cut saying how much there is in all.
	 */
	String display(int maxElements, int maxChars);

	/**
	 * An integer of any width. UINT64 values above {@link Long#MAX_VALUE} are kept as the
	 * same 64 bits (a negative long); {@link #display()} shows them unsigned.
	 */
	record Int(GgufValueType type, long value) implements GgufValue {
		public Int {
			Objects.requireNonNull(type, "type");
			if (!type.isInteger()) {
				throw new IllegalArgumentException(type + " is not an integer type");
			}
			long min = switch (type) {
				case UINT8, UINT16, UINT32 -> 0;
				case INT8 -> Byte.MIN_VALUE;
				case INT16 -> Short.MIN_VALUE;
				case INT32 -> Integer.MIN_VALUE;
				default -> Long.MIN_VALUE;
			};
			long max = switch (type) {
				case UINT8 -> 0xFFL;
				case INT8 -> Byte.MAX_VALUE;
				case UINT16 -> 0xFFFFL;
				case INT16 -> Short.MAX_VALUE;
				case UINT32 -> 0xFFFF_FFFFL;
				case INT32 -> Integer.MAX_VALUE;
				default -> Long.MAX_VALUE;
			};
			if (value < min || value > max) {
				throw new IllegalArgumentException(value + " is out of range for " + type);
			}
		}

		/** Whether the value is a UINT64 too large for a signed long. */
		public boolean exceedsLong() {
			return type == GgufValueType.UINT64 && value < 0;
		}

		@Override
		public String display(int maxElements, int maxChars) {
			return type == GgufValueType.UINT64 ? Long.toUnsignedString(value) : Long.toString(value);
		}
	}

	/**
	 * A FLOAT32 or FLOAT64; FLOAT32 values are exactly representable as the stored
	 * double.
	 */
	record Real(GgufValueType type, double value) implements GgufValue {
		public Real {
			Objects.requireNonNull(type, "type");
			if (!type.isReal()) {
				throw new IllegalArgumentException(type + " is not a floating-point type");
			}
			if (type == GgufValueType.FLOAT32 && !Double.isNaN(value) && (double) (float) value != value) {
				throw new IllegalArgumentException(value + " is not a float32 value");
			}
		}

		@Override
		public String display(int maxElements, int maxChars) {
			return type == GgufValueType.FLOAT32 ? Float.toString((float) value) : Double.toString(value);
		}
	}

	record Bool(boolean value) implements GgufValue {
		@Override
		public GgufValueType type() {
			return GgufValueType.BOOL;
		}

		@Override
		public String display(int maxElements, int maxChars) {
			return Boolean.toString(value);
		}
	}

	record Text(String value) implements GgufValue {
		public Text {
			Objects.requireNonNull(value, "value");
		}

		@Override
		public GgufValueType type() {
			return GgufValueType.STRING;
		}

		@Override
		public String display(int maxElements, int maxChars) {
			return ValueDisplay.quoted(value, maxChars);
		}
	}

	/**
	 * An array; every element has type {@code elementType} (nested arrays may differ
	 * among themselves). Arrays read from a file decode their elements on access,
	 * straight from the mapped header.
	 */
	record Array(GgufValueType elementType, List<GgufValue> elements) implements GgufValue {
		public Array {
			Objects.requireNonNull(elementType, "elementType");
			if (!(elements instanceof EncodedArray)) { // arrays read from a file are
														// checked by the reader
				elements = List.copyOf(elements);
				for (GgufValue element : elements) {
					if (element.type() != elementType) {
						throw new IllegalArgumentException(
								"a " + element.typeName() + " element in an array of " + elementType.displayName());
					}
				}
			}
		}

		@Override
		public GgufValueType type() {
			return GgufValueType.ARRAY;
		}

		public int size() {
			return elements.size();
		}

		@Override
		public String typeName() {
			String element = elementType == GgufValueType.ARRAY && !elements.isEmpty() ? elements.get(0).typeName()
					: elementType.displayName();
			return "array<" + element + ">";
		}

		@Override
		public String display(int maxElements, int maxChars) {
			return ValueDisplay.list(elements, maxElements, maxChars);
		}
	}

	static Int uint8(int value) {
		return new Int(GgufValueType.UINT8, value);
	}

	static Int int8(int value) {
		return new Int(GgufValueType.INT8, value);
	}

	static Int uint16(int value) {
		return new Int(GgufValueType.UINT16, value);
	}

	static Int int16(int value) {
		return new Int(GgufValueType.INT16, value);
	}

	static Int uint32(long value) {
		return new Int(GgufValueType.UINT32, value);
	}

	static Int int32(int value) {
		return new Int(GgufValueType.INT32, value);
	}

	/**
	 * A UINT64 given by its 64 bits (a negative long stands for a value above
	 * {@link Long#MAX_VALUE}).
	 */
	static Int uint64(long bits) {
		return new Int(GgufValueType.UINT64, bits);
	}

	static Int int64(long value) {
		return new Int(GgufValueType.INT64, value);
	}

	static Real float32(float value) {
		return new Real(GgufValueType.FLOAT32, value);
	}

	static Real float64(double value) {
		return new Real(GgufValueType.FLOAT64, value);
	}

	static Bool bool(boolean value) {
		return new Bool(value);
	}

	static Text string(String value) {
		return new Text(value);
	}

	static Array array(GgufValueType elementType, List<? extends GgufValue> elements) {
		return new Array(elementType, List.copyOf(elements));
	}

	static Array strings(String... values) {
		return array(GgufValueType.STRING, Arrays.stream(values).map(Text::new).toList());
	}

	static Array float32s(float... values) {
		GgufValue[] elements = new GgufValue[values.length];
		for (int i = 0; i < values.length; i++) {
			elements[i] = float32(values[i]);
		}
		return array(GgufValueType.FLOAT32, List.of(elements));
	}

	static Array int32s(int... values) {
		GgufValue[] elements = new GgufValue[values.length];
		for (int i = 0; i < values.length; i++) {
			elements[i] = int32(values[i]);
		}
		return array(GgufValueType.INT32, List.of(elements));
	}

}
