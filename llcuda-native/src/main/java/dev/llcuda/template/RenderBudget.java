package dev.llcuda.template;

import java.util.EnumMap;
import java.util.Map;

/**
 * The {@link TemplateLimit}s of one render and what it has used of them. The interpreter
 * charges loop iterations, calls and created values; builtins that loop over their input
 * reach the render running on their thread through {@link #current()} to check sizes and
 * the deadline, so that no single filter call can run or grow unbounded either.
 */
final class RenderBudget {

	private static final ThreadLocal<RenderBudget> CURRENT = new ThreadLocal<>();

	private final Map<TemplateLimit, Long> limits;

	private final long deadline;

	private long iterations;

	private int callDepth;

	private long created;

	RenderBudget(Map<TemplateLimit, Long> overrides) {
		limits = new EnumMap<>(TemplateLimit.class);
		for (TemplateLimit limit : TemplateLimit.values()) {
			limits.put(limit, overrides.getOrDefault(limit, limit.defaultValue()));
		}
		deadline = System.nanoTime() + limit(TemplateLimit.RENDER_MILLIS) * 1_000_000L;
	}

	/**
	 * The budget of the render running on this thread; outside a render, a fresh one with
	 * the default limits (values are then checked for size, and time starts now).
	 */
	static RenderBudget current() {
		RenderBudget budget = CURRENT.get();
		return budget != null ? budget : new RenderBudget(Map.of());
	}

	/**
	 * Makes this the current budget until the returned scope closes (renders may nest
	 * through functions).
	 */
	Scope enter() {
		RenderBudget outer = CURRENT.get();
		CURRENT.set(this);
		return () -> {
			if (outer == null) {
				CURRENT.remove();
			}
			else {
				CURRENT.set(outer);
			}
		};
	}

	/** Restores the budget that was current before {@link #enter()}. */
	interface Scope extends AutoCloseable {

		@Override
		void close();

	}

	long limit(TemplateLimit limit) {
		return limits.get(limit);
	}

	/** One loop iteration (of a for loop or of a builtin walking its input). */
	void iteration() {
		if (++iterations > limit(TemplateLimit.LOOP_ITERATIONS)) {
			throw exceeded(TemplateLimit.LOOP_ITERATIONS,
					"more than " + limit(TemplateLimit.LOOP_ITERATIONS) + " loop iterations");
		}
		checkTime();
	}

	void enterCall() {
		if (callDepth >= limit(TemplateLimit.CALL_DEPTH)) {
			throw exceeded(TemplateLimit.CALL_DEPTH,
					"macro calls nested deeper than " + limit(TemplateLimit.CALL_DEPTH));
		}
		callDepth++;
		checkTime();
	}

	void exitCall() {
		callDepth--;
	}

	/** Fails once the render has run past its deadline. */
	void checkTime() {
		if (System.nanoTime() - deadline > 0) {
			throw exceeded(TemplateLimit.RENDER_MILLIS,
					"rendering took longer than " + limit(TemplateLimit.RENDER_MILLIS) + " ms");
		}
	}

	/**
	 * Counts a value the render created: a string's characters, a list's items or a
	 * dict's entries.
	 */
	void created(long items) {
		created += items;
		if (created > limit(TemplateLimit.CREATED_ITEMS)) {
			throw exceeded(TemplateLimit.CREATED_ITEMS,
					"created more than " + limit(TemplateLimit.CREATED_ITEMS) + " characters and items");
		}
		checkTime();
	}

	/** Fails for a string of {@code length} characters, before or after it is built. */
	void checkString(long length) {
		if (length > limit(TemplateLimit.STRING_CHARS)) {
			throw exceeded(TemplateLimit.STRING_CHARS,
					"a string longer than " + limit(TemplateLimit.STRING_CHARS) + " characters");
		}
	}

	/** Fails for a list of {@code size} items, before or after it is built. */
	void checkList(long size) {
		if (size > limit(TemplateLimit.LIST_ITEMS)) {
			throw exceeded(TemplateLimit.LIST_ITEMS,
					"a list longer than " + limit(TemplateLimit.LIST_ITEMS) + " items");
		}
	}

	/** Fails when output of {@code length} characters would be written. */
	void checkOutput(long length) {
		if (length > limit(TemplateLimit.OUTPUT_CHARS)) {
			throw exceeded(TemplateLimit.OUTPUT_CHARS,
					"output longer than " + limit(TemplateLimit.OUTPUT_CHARS) + " characters");
		}
	}

	private EvalError exceeded(TemplateLimit limit, String what) {
		return EvalError.limit(limit, limit(limit), what);
	}

}
