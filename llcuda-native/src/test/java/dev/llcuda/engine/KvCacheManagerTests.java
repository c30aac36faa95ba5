package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class KvCacheManagerTests {

	private static final int BLOCK = 4;

	private long nextId;

	private Sequence sequence(int... prompt) {
		return new Sequence(nextId++, prompt, 100, 1000, SamplingParams.GREEDY, new RecordingConsumer());
	}

	private static int[] range(int from, int to) {
		return IntStream.range(from, to).toArray();
	}

	/**
	 * Allocates and marks the whole prompt computed, as a finished prefill step would.
	 */
	private static void prefill(KvCacheManager kv, Sequence seq) {
		PrefixHit hit = kv.findCachedPrefix(seq);
		kv.allocate(seq, seq.numTokens() - hit.cachedTokens(), hit);
		kv.recordLookup(seq, hit);
		seq.numComputed = seq.numTokens();
		kv.cacheComputedBlocks(seq);
	}

	@Test
	void allocatesWholeBlocksAsTokensGrow() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, true);
		Sequence seq = sequence(range(0, 10));
		assertEquals(new AllocationResult.Allocated(3), kv.allocate(seq, 10, PrefixHit.NONE));
		assertArrayEquals(new int[] { 0, 1, 2 }, kv.blockTable(seq));
		seq.numComputed = 10;
		seq.append(50);
		assertEquals(new AllocationResult.Allocated(0), kv.allocate(seq, 1, PrefixHit.NONE));
		seq.numComputed = 11;
		seq.append(51);
		assertEquals(new AllocationResult.Allocated(0), kv.allocate(seq, 1, PrefixHit.NONE));
		seq.numComputed = 12;
		seq.append(52);
		assertEquals(new AllocationResult.Allocated(1), kv.allocate(seq, 1, PrefixHit.NONE));
		assertArrayEquals(new int[] { 0, 1, 2, 3 }, kv.blockTable(seq));
		assertEquals(new KvCacheStats(4, 10, 0, 0, 0), kv.stats());
	}

	@Test
	void runningOutOfBlocksIsAResultNotAnException() {
		KvCacheManager kv = new KvCacheManager(3, BLOCK, true);
		Sequence a = sequence(range(0, 9));
		kv.allocate(a, 9, PrefixHit.NONE);
		Sequence b = sequence(range(100, 105));
		assertEquals(new AllocationResult.NoRoom(2, 0), kv.allocate(b, 5, PrefixHit.NONE));
		assertArrayEquals(new int[0], kv.blockTable(b));
		assertEquals(3, kv.stats().usedBlocks());
	}

	@Test
	void newPromptReusesTheCachedBlocksOfAnIdenticalPrefix() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, true);
		Sequence a = sequence(range(0, 10));
		prefill(kv, a);
		assertArrayEquals(new int[] { 0, 1, 2 }, kv.blockTable(a));
		kv.free(a);
		assertEquals(List.of(3, 4, 5, 6, 7, 8, 9, 2, 1, 0), kv.pool().freeQueueIds());

		int[] prompt = range(0, 12);
		prompt[9] = 99;
		Sequence b = sequence(prompt);
		PrefixHit hit = kv.findCachedPrefix(b);
		assertEquals(8, hit.cachedTokens());
		assertEquals(new AllocationResult.Allocated(1), kv.allocate(b, 4, hit));
		assertArrayEquals(new int[] { 0, 1, 3 }, kv.blockTable(b));
		assertEquals(List.of(4, 5, 6, 7, 8, 9, 2), kv.pool().freeQueueIds());
	}

	@Test
	void fullyCachedPromptStillComputesItsLastToken() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, true);
		prefill(kv, sequence(range(0, 8)));
		Sequence same = sequence(range(0, 8));
		assertEquals(4, kv.findCachedPrefix(same).cachedTokens());
	}

	@Test
	void runningSequencesShareCachedBlocks() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, true);
		Sequence a = sequence(range(0, 9));
		prefill(kv, a);
		Sequence b = sequence(range(0, 9));
		prefill(kv, b);
		assertArrayEquals(new int[] { 0, 1, 2 }, kv.blockTable(a));
		assertArrayEquals(new int[] { 0, 1, 3 }, kv.blockTable(b));
		assertEquals(2, kv.pool().block(0).refCount);
		assertEquals(4, kv.stats().usedBlocks());
		kv.free(a);
		assertEquals(3, kv.stats().usedBlocks());
		kv.free(b);
		assertEquals(0, kv.stats().usedBlocks());
		assertEquals(new KvCacheStats(0, 10, 2, 18, 8), kv.stats());
		assertEquals(8.0 / 18, kv.stats().prefixHitRate(), 1e-12);
	}

	@Test
	void evictedPrefixIsNoLongerFound() {
		KvCacheManager kv = new KvCacheManager(3, BLOCK, true);
		Sequence a = sequence(range(0, 9));
		prefill(kv, a);
		kv.free(a);
		Sequence other = sequence(range(200, 209));
		prefill(kv, other);
		assertArrayEquals(new int[] { 2, 1, 0 }, kv.blockTable(other));
		assertEquals(0, kv.findCachedPrefix(sequence(range(0, 9))).cachedTokens());
	}

	@Test
	void hitBlocksThatAreFreeCountAgainstTheRoomLeft() {
		KvCacheManager kv = new KvCacheManager(3, BLOCK, true);
		Sequence a = sequence(range(0, 9));
		prefill(kv, a);
		kv.free(a);
		Sequence b = sequence(range(0, 13));
		PrefixHit hit = kv.findCachedPrefix(b);
		assertEquals(8, hit.cachedTokens());
		// 2 hit blocks leave the free queue, so only 1 of the 2 new blocks can be had.
		assertEquals(new AllocationResult.NoRoom(2, 1), kv.allocate(b, 5, hit));
		assertEquals(List.of(2, 1, 0), kv.pool().freeQueueIds());
	}

	@Test
	void withoutPrefixCachingNothingIsReused() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, false);
		prefill(kv, sequence(range(0, 9)));
		assertEquals(0, kv.findCachedPrefix(sequence(range(0, 9))).cachedTokens());
		assertEquals(0, kv.stats().cachedBlocks());
	}

	@Test
	void blocksWhollyBeforeTheWindowGoBackToThePoolAndKeepTheirPlaceInTheTable() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, false, 6);
		Sequence seq = sequence(range(0, 10));
		prefill(kv, seq);
		kv.releaseOutOfWindow(seq);
		// The next query (position 10) sees 5..10: block 0 (0..3) is out, block 1 (4..7)
		// still in.
		assertArrayEquals(new int[] { 0, 1, 2 }, kv.blockTable(seq));
		assertEquals(2, kv.stats().usedBlocks());
		for (int token = 10; token < 40; token++) {
			seq.append(token);
			kv.allocate(seq, 1, PrefixHit.NONE);
			seq.numComputed++;
			kv.releaseOutOfWindow(seq);
			assertTrue(kv.stats().usedBlocks() <= 3, "used " + kv.stats().usedBlocks() + " at " + token);
		}
		assertEquals(10, kv.blockTable(seq).length);
		kv.free(seq);
		assertEquals(0, kv.stats().usedBlocks());
		assertEquals(10, kv.pool().freeBlocks());
	}

	@Test
	void withoutAWindowNoBlockIsReleasedEarly() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, false, 0);
		Sequence seq = sequence(range(0, 30));
		prefill(kv, seq);
		kv.releaseOutOfWindow(seq);
		assertEquals(8, kv.stats().usedBlocks());
	}

	@Test
	void aReleasedBlockThatAnotherSequenceOrThePrefixCacheHoldsKeepsItsContent() {
		KvCacheManager kv = new KvCacheManager(6, BLOCK, true, 5);
		Sequence a = sequence(range(0, 13));
		prefill(kv, a);
		Sequence b = sequence(range(0, 13));
		prefill(kv, b);
		assertArrayEquals(Arrays.copyOf(kv.blockTable(a), 3), Arrays.copyOf(kv.blockTable(b), 3));
		kv.releaseOutOfWindow(a);
		// Blocks 0 and 1 of a (0..7) are out of its window (9..13) but b still uses them.
		assertEquals(2, a.numReleasedBlocks);
		assertEquals(1, kv.pool().block(kv.blockTable(a)[0]).refCount);
		kv.releaseOutOfWindow(b);
		assertEquals(0, kv.pool().block(kv.blockTable(a)[0]).refCount);
		// Free now, but still cached: a third sequence with the same prefix finds all
		// three full blocks.
		assertEquals(12, kv.findCachedPrefix(sequence(range(0, 13))).cachedTokens());
		kv.free(a);
		kv.free(b);
		assertEquals(0, kv.stats().usedBlocks());
		assertEquals(6, kv.pool().freeBlocks());
	}

}
