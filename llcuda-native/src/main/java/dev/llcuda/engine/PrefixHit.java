package dev.llcuda.engine;

import java.util.List;

/** Leading full blocks of a new sequence whose KV is already in the prefix cache. */
record PrefixHit(List<KvBlock> blocks, int cachedTokens) {

	static final PrefixHit NONE = new PrefixHit(List.of(), 0);

}
