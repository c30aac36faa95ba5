/**
 * Constrained decoding. A {@link dev.llcuda.grammar.Grammar} (from a JSON Schema, plain
 * JSON mode or a choice of strings) is a set of byte-level rules; a
 * {@link dev.llcuda.grammar.GrammarMatcher} follows one sequence's output through them
 * and gives, each step, the bitmask of vocabulary tokens that can continue a valid output
 * ({@link dev.llcuda.grammar.TokenMasks}: a trie of the vocabulary's byte strings walked
 * against the matcher state, masks cached per state).
 */
@NullMarked
package dev.llcuda.grammar;

import org.jspecify.annotations.NullMarked;
