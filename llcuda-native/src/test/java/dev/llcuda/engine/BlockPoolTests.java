package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class BlockPoolTests {

	private static List<Integer> ids(List<KvBlock> blocks) {
		return blocks.stream().map(b -> b.id).toList();
	}

	private static BlockHash hash(int... tokens) {
		return BlockHash.of(BlockHash.ROOT, tokens, 0, tokens.length);
	}

	@Test
	void newPoolHandsOutBlocksInIdOrder() {
		BlockPool pool = new BlockPool(6);
		assertEquals(List.of(0, 1, 2), ids(pool.allocate(3)));
		assertEquals(List.of(3, 4, 5), pool.freeQueueIds());
		assertEquals(3, pool.usedBlocks());
		assertEquals(3, pool.freeBlocks());
	}

	@Test
	void freedBlocksJoinTheTailInTheGivenOrder() {
		BlockPool pool = new BlockPool(6);
		List<KvBlock> blocks = pool.allocate(4);
		pool.free(List.of(blocks.get(3), blocks.get(2), blocks.get(1), blocks.get(0)));
		assertEquals(List.of(4, 5, 3, 2, 1, 0), pool.freeQueueIds());
		assertEquals(0, pool.usedBlocks());
	}

	@Test
	void sharedBlockReturnsToTheQueueOnlyWhenItsLastUserFreesIt() {
		BlockPool pool = new BlockPool(4);
		KvBlock block = pool.allocate(1).get(0);
		assertTrue(pool.cache(block, hash(1, 2)));
		pool.touch(List.of(block));
		assertEquals(2, block.refCount);
		pool.free(List.of(block));
		assertEquals(List.of(1, 2, 3), pool.freeQueueIds());
		pool.free(List.of(block));
		assertEquals(List.of(1, 2, 3, 0), pool.freeQueueIds());
	}

	@Test
	void touchingAFreeCachedBlockTakesItOutOfTheQueue() {
		BlockPool pool = new BlockPool(4);
		KvBlock block = pool.allocate(2).get(1);
		pool.cache(block, hash(7));
		pool.free(List.of(block));
		assertEquals(List.of(2, 3, 1), pool.freeQueueIds());
		assertSame(block, pool.cachedBlock(hash(7)));
		pool.touch(List.of(block));
		assertEquals(List.of(2, 3), pool.freeQueueIds());
		assertEquals(1, block.refCount);
	}

	@Test
	void allocationEvictsTheLeastRecentlyFreedCachedBlockFirst() {
		BlockPool pool = new BlockPool(3);
		List<KvBlock> blocks = pool.allocate(3);
		pool.cache(blocks.get(0), hash(10));
		pool.cache(blocks.get(1), hash(11));
		pool.cache(blocks.get(2), hash(12));
		pool.free(List.of(blocks.get(1), blocks.get(0), blocks.get(2)));
		assertEquals(3, pool.cachedBlocks());
		assertEquals(List.of(1), ids(pool.allocate(1)));
		assertNull(pool.cachedBlock(hash(11)));
		assertSame(blocks.get(0), pool.cachedBlock(hash(10)));
		assertEquals(2, pool.cachedBlocks());
	}

	@Test
	void sameContentIsCachedInOneBlockOnly() {
		BlockPool pool = new BlockPool(2);
		List<KvBlock> blocks = pool.allocate(2);
		assertTrue(pool.cache(blocks.get(0), hash(5)));
		assertFalse(pool.cache(blocks.get(1), hash(5)));
		assertSame(blocks.get(0), pool.cachedBlock(hash(5)));
		assertNull(blocks.get(1).hash);
	}

	@Test
	void doubleFreeAndOverAllocationAreRefused() {
		BlockPool pool = new BlockPool(2);
		KvBlock block = pool.allocate(1).get(0);
		pool.free(List.of(block));
		assertThrows(IllegalStateException.class, () -> pool.free(List.of(block)));
		assertThrows(IllegalStateException.class, () -> pool.allocate(3));
		assertThrows(IllegalArgumentException.class, () -> new BlockPool(0));
	}

	@Test
	void blockHashChainsIncludeTheParent() {
		int[] tokens = { 1, 2, 3, 4, 1, 2, 3, 4 };
		BlockHash first = BlockHash.of(BlockHash.ROOT, tokens, 0, 4);
		BlockHash second = BlockHash.of(first, tokens, 4, 8);
		assertEquals(first, BlockHash.of(BlockHash.ROOT, new int[] { 1, 2, 3, 4 }, 0, 4));
		assertFalse(first.equals(second), "same tokens after a different prefix must hash differently");
	}

}
