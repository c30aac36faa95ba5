package dev.llcuda.template;

/**
 * The bounds on the work of one render. A chat template comes from the model file, so it
 * is untrusted: without them, nested {@code range()} loops, self-recursive macros or a
 * string that doubles in a loop would pin a core and fill the heap on every chat request.
 * Real chat templates stay orders of magnitude below each bound.
 */
public enum TemplateLimit {

	/**
	 * Loop iterations of one render, all loops together: real templates make a few passes
	 * over the messages and tools; this allows dozens over ten thousand messages, in well
	 * under a second.
	 */
	LOOP_ITERATIONS("loop iterations", 1 << 18),
	/**
	 * Macro calls nested in each other, recursion included; each level costs Java stack.
	 */
	CALL_DEPTH("nested macro calls", 64),
	/**
	 * Characters of the rendered prompt: 16 Mi characters, more than any model's context
	 * holds.
	 */
	OUTPUT_CHARS("output characters", 1 << 24),
	/**
	 * Characters of one string value: catches strings that double in a loop long before
	 * the heap fills.
	 */
	STRING_CHARS("characters in one string", 1 << 24),
	/**
	 * Items of one list: {@code range()}, repetition, concatenation, a string's
	 * characters.
	 */
	LIST_ITEMS("items in one list", 1 << 20),
	/**
	 * Characters and list items of all values one render creates: bounds the heap a
	 * render can hold (at most a few hundred MB) while leaving room for tens of copies of
	 * the longest conversation.
	 */
	CREATED_ITEMS("characters and items created", 1 << 26),
	/**
	 * Wall time of one render in milliseconds: real templates render in a few
	 * milliseconds.
	 */
	RENDER_MILLIS("milliseconds of rendering", 2_000);

	private final String unit;

	private final long defaultValue;

	TemplateLimit(String unit, long defaultValue) {
		this.unit = unit;
		this.defaultValue = defaultValue;
	}

	/** What the limit counts, for error messages ("loop iterations"). */
	public String unit() {
		return unit;
	}

	/** The bound every render gets. */
	public long defaultValue() {
		return defaultValue;
	}

}
