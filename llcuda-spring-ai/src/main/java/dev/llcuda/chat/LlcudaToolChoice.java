package dev.llcuda.chat;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Whether the model must call a tool, as OpenAI's {@code tool_choice} says it:
 * {@link #auto()} (it decides, the default), {@link #none()} (no tools offered),
 * {@link #required()} (at least one call of any tool) or {@link #function(String)} (a
 * call of that tool). The forcing forms are kept by constrained decoding: the reply can
 * only be calls, their arguments valid under each tool's parameter schema.
 *
 * @param mode what is asked
 * @param function the tool's name for {@link Mode#FUNCTION}, else null
 */
public record LlcudaToolChoice(Mode mode, @Nullable String function) {

	public enum Mode {

		AUTO, NONE, REQUIRED, FUNCTION

	}

	public LlcudaToolChoice {
		Objects.requireNonNull(mode, "mode");
		if ((mode == Mode.FUNCTION) != (function != null)) {
			throw new IllegalArgumentException("a tool choice names a function exactly when its mode is FUNCTION");
		}
		if (function != null && function.isBlank()) {
			throw new IllegalArgumentException("the tool choice's function name must not be blank");
		}
	}

	public static LlcudaToolChoice auto() {
		return new LlcudaToolChoice(Mode.AUTO, null);
	}

	public static LlcudaToolChoice none() {
		return new LlcudaToolChoice(Mode.NONE, null);
	}

	public static LlcudaToolChoice required() {
		return new LlcudaToolChoice(Mode.REQUIRED, null);
	}

	public static LlcudaToolChoice function(String name) {
		return new LlcudaToolChoice(Mode.FUNCTION, name);
	}

	/** Whether the reply must be tool calls. */
	public boolean forcesCalls() {
		return this.mode == Mode.REQUIRED || this.mode == Mode.FUNCTION;
	}
}
