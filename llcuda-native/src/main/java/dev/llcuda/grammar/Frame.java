package dev.llcuda.grammar;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One position in a grammar: element {@code index} of alternative {@code alternative} of
 * {@code rule}, with the position to resume at when that alternative ends
 * ({@code parent}; null: the output ends). Immutable and shared between stacks.
 */
record Frame(int rule, int alternative, int index, @Nullable Frame parent, int hash) {

	static Frame of(int rule, int alternative, int index, @Nullable Frame parent) {
		return new Frame(rule, alternative, index, parent,
				((rule * 31 + alternative) * 31 + index) * 31 + Objects.hashCode(parent));
	}

	@Override
	public boolean equals(Object o) {
		if (this == o) {
			return true;
		}
		return o instanceof Frame f && hash == f.hash && rule == f.rule && alternative == f.alternative
				&& index == f.index && Objects.equals(parent, f.parent);
	}

	@Override
	public int hashCode() {
		return hash;
	}
}
