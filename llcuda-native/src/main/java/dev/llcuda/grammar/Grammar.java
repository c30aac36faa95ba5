package dev.llcuda.grammar;

import java.util.List;

/**
 * Byte-level rules: each rule is a list of alternatives, each alternative a sequence of
 * elements (a {@link ByteClass} or a reference to another rule). Generated grammars have
 * no left recursion, so a matcher can expand references eagerly. Immutable; build one
 * with {@link Grammars}.
 *
 * @param rules alternatives of each rule; an element is a {@link ByteClass} or an
 * {@link Integer} rule index
 * @param root the rule the whole output must match
 */
public record Grammar(List<List<List<Object>>> rules, int root) {

	public Grammar {
		rules = List.copyOf(rules);
		if (root < 0 || root >= rules.size()) {
			throw new IllegalArgumentException("root rule " + root + " outside the " + rules.size() + " rules");
		}
	}
}
