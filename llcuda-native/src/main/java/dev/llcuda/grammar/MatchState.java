package dev.llcuda.grammar;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Where a partial output can be in the grammar: every stack of positions whose top is a
 * byte class (several when alternatives are still open), and whether the output may end
 * here. Immutable, equal by value, so token masks can be cached per state.
 */
final class MatchState {

	private final Grammar grammar;

	private final Frame[] frames;

	private final boolean accepting;

	private final int hash;

	private MatchState(Grammar grammar, Frame[] frames, boolean accepting) {
		this.grammar = grammar;
		this.frames = frames;
		this.accepting = accepting;
		this.hash = Arrays.hashCode(frames) * 2 + (accepting ? 1 : 0);
	}

	/** The state before any output. */
	static MatchState start(Grammar grammar) {
		Expansion out = new Expansion(grammar);
		out.enterRule(grammar.root(), null);
		return out.state();
	}

	boolean accepting() {
		return accepting;
	}

	/** Whether no byte can follow (only the end of the output). */
	boolean finished() {
		return frames.length == 0;
	}

	/** The state after byte {@code b}, or null when no valid output continues with it. */
	@Nullable MatchState advance(int b) {
		Expansion out = new Expansion(grammar);
		for (Frame frame : frames) {
			ByteClass c = (ByteClass) element(grammar, frame);
			if (c.contains(b)) {
				out.resume(next(grammar, frame));
			}
		}
		return out.dead() ? null : out.state();
	}

	@Nullable MatchState advance(byte[] bytes) {
		MatchState s = this;
		for (int i = 0; i < bytes.length && s != null; i++) {
			s = s.advance(bytes[i] & 0xFF);
		}
		return s;
	}

	private static Object element(Grammar grammar, Frame frame) {
		return grammar.rules().get(frame.rule()).get(frame.alternative()).get(frame.index());
	}

	/**
	 * The position after {@code frame}'s element (tail positions return to the parent at
	 * once).
	 */
	private static @Nullable Frame next(Grammar grammar, Frame frame) {
		int length = grammar.rules().get(frame.rule()).get(frame.alternative()).size();
		return frame.index() + 1 < length
				? Frame.of(frame.rule(), frame.alternative(), frame.index() + 1, frame.parent()) : frame.parent();
	}

	/**
	 * Expands positions until each stack's top is a byte class, collecting the distinct
	 * stacks.
	 */
	private static final class Expansion {

		private final Grammar grammar;

		private final Set<Frame> frames = new LinkedHashSet<>();

		private boolean accepting;

		Expansion(Grammar grammar) {
			this.grammar = grammar;
		}

		void resume(@Nullable Frame frame) {
			if (frame == null) {
				accepting = true;
				return;
			}
			Object element = element(grammar, frame);
			if (element instanceof ByteClass) {
				frames.add(frame);
			}
			else {
				enterRule((Integer) element, next(grammar, frame));
			}
		}

		void enterRule(int rule, @Nullable Frame continuation) {
			List<List<Object>> alternatives = grammar.rules().get(rule);
			for (int a = 0; a < alternatives.size(); a++) {
				resume(alternatives.get(a).isEmpty() ? continuation : Frame.of(rule, a, 0, continuation));
			}
		}

		boolean dead() {
			return frames.isEmpty() && !accepting;
		}

		MatchState state() {
			return new MatchState(grammar, frames.toArray(new Frame[0]), accepting);
		}

	}

	@Override
	public boolean equals(Object o) {
		return o instanceof MatchState s && hash == s.hash && accepting == s.accepting && grammar == s.grammar
				&& Arrays.equals(frames, s.frames);
	}

	@Override
	public int hashCode() {
		return hash;
	}

}
