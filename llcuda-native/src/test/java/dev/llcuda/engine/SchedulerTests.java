package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SchedulerTests {

	private static final int BLOCK = 4;

	private static int[] range(int from, int to) {
		return IntStream.range(from, to).toArray();
	}

	private static Sequence sequence(long id, int[] prompt, RecordingConsumer consumer) {
		return new Sequence(id, prompt, 100, 1000, SamplingParams.GREEDY, consumer);
	}

	private static Sequence sequence(long id, int[] prompt) {
		return sequence(id, prompt, new RecordingConsumer());
	}

	/** A chunk as "id:start+n" with "*" when it samples. */
	private static List<String> describe(SchedulerOutput out) {
		return out.chunks()
			.stream()
			.map(c -> c.sequence().id + ":" + c.start() + "+" + c.numTokens() + (c.sample() ? "*" : ""))
			.toList();
	}

	private static List<Long> ids(List<Sequence> sequences) {
		return sequences.stream().map(s -> s.id).toList();
	}

	@Test
	void stepsFillTheTokenBudgetWithDecodesThenPromptChunks() {
		KvCacheManager kv = new KvCacheManager(20, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(8, 8), kv);
		Sequence a = sequence(1, range(0, 10));
		Sequence b = sequence(2, range(100, 106));
		Sequence c = sequence(3, range(200, 205));
		scheduler.add(a);
		scheduler.add(b);
		scheduler.add(c);

		SchedulerOutput step1 = scheduler.schedule();
		assertEquals(List.of("1:0+8"), describe(step1));
		assertEquals(List.of(1L), ids(step1.admitted()));
		scheduler.updateFromOutput(step1, new int[] { -1 });

		SchedulerOutput step2 = scheduler.schedule();
		assertEquals(List.of("1:8+2*", "2:0+6*"), describe(step2));
		scheduler.updateFromOutput(step2, new int[] { 1000, 1001 });

		SchedulerOutput step3 = scheduler.schedule();
		assertEquals(List.of("1:10+1*", "2:6+1*", "3:0+5*"), describe(step3));
		assertArrayEquals(new int[] { 0, 1, 2 }, kv.blockTable(a));
		assertArrayEquals(new int[] { 3, 4 }, kv.blockTable(b));
		assertArrayEquals(new int[] { 5, 6 }, kv.blockTable(c));
		assertEquals(3, scheduler.numRunning());
		assertEquals(0, scheduler.numWaiting());
	}

	@Test
	void admissionStopsAtTheRunningSequenceLimitAndResumesWhenOneFinishes() {
		KvCacheManager kv = new KvCacheManager(20, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(2, 100), kv);
		RecordingConsumer stopsOn7 = new RecordingConsumer(7);
		scheduler.add(sequence(1, range(0, 2), stopsOn7));
		scheduler.add(sequence(2, range(10, 12)));
		scheduler.add(sequence(3, range(20, 22)));

		SchedulerOutput step1 = scheduler.schedule();
		assertEquals(List.of("1:0+2*", "2:0+2*"), describe(step1));
		List<Sequence> finished = scheduler.updateFromOutput(step1, new int[] { 7, 8 });
		assertEquals(List.of(1L), ids(finished));
		assertEquals(FinishReason.STOP, stopsOn7.finishReason);
		assertEquals(List.of(7), stopsOn7.tokens);

		assertEquals(List.of("2:2+1*", "3:0+2*"), describe(scheduler.schedule()));
	}

	@Test
	void maxTokensEndsASequenceWithLength() {
		KvCacheManager kv = new KvCacheManager(20, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(4, 100), kv);
		RecordingConsumer consumer = new RecordingConsumer();
		scheduler.add(new Sequence(1, range(0, 3), 2, 1000, SamplingParams.GREEDY, consumer));
		scheduler.updateFromOutput(scheduler.schedule(), new int[] { 40 });
		List<Sequence> finished = scheduler.updateFromOutput(scheduler.schedule(), new int[] { 41 });
		assertEquals(List.of(1L), ids(finished));
		assertEquals(List.of(40, 41), consumer.tokens);
		assertEquals(FinishReason.LENGTH, consumer.finishReason);
		assertEquals(0, kv.stats().usedBlocks());
		assertEquals(false, scheduler.hasWork());
	}

	@Test
	void contextLimitEndsASequenceWithLength() {
		KvCacheManager kv = new KvCacheManager(20, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(4, 100), kv);
		RecordingConsumer consumer = new RecordingConsumer();
		scheduler.add(new Sequence(1, range(0, 3), 50, 4, SamplingParams.GREEDY, consumer));
		scheduler.updateFromOutput(scheduler.schedule(), new int[] { 40 });
		assertEquals(FinishReason.LENGTH, consumer.finishReason);
		assertEquals(List.of(40), consumer.tokens);
	}

	@Test
	void newestRunningSequenceIsPreemptedAndRecomputedWithItsGeneratedTokens() {
		KvCacheManager kv = new KvCacheManager(4, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(8, 100), kv);
		RecordingConsumer aOut = new RecordingConsumer(52);
		RecordingConsumer bOut = new RecordingConsumer();
		Sequence a = sequence(1, range(0, 7), aOut);
		Sequence b = sequence(2, range(100, 107), bOut);
		scheduler.add(a);
		scheduler.add(b);

		SchedulerOutput step1 = scheduler.schedule();
		assertEquals(List.of("1:0+7*", "2:0+7*"), describe(step1));
		assertArrayEquals(new int[] { 0, 1 }, kv.blockTable(a));
		assertArrayEquals(new int[] { 2, 3 }, kv.blockTable(b));
		scheduler.updateFromOutput(step1, new int[] { 50, 60 });

		SchedulerOutput step2 = scheduler.schedule();
		assertEquals(List.of("1:7+1*", "2:7+1*"), describe(step2));
		scheduler.updateFromOutput(step2, new int[] { 51, 61 });

		// A needs a third block, none is free: B, the newest, gives its blocks back.
		SchedulerOutput step3 = scheduler.schedule();
		assertEquals(List.of("1:8+1*"), describe(step3));
		assertEquals(List.of(2L), ids(step3.preempted()));
		assertArrayEquals(new int[] { 0, 1, 3 }, kv.blockTable(a));
		assertEquals(1, scheduler.preemptedTotal());
		assertEquals(1, scheduler.numWaiting());
		scheduler.updateFromOutput(step3, new int[] { 52 });
		assertEquals(FinishReason.STOP, aOut.finishReason);

		// B comes back: its first block is still cached, the rest (generated tokens
		// included) is recomputed.
		SchedulerOutput step4 = scheduler.schedule();
		assertEquals(List.of("2:4+5*"), describe(step4));
		assertArrayEquals(new int[] { 2, 3, 1 }, kv.blockTable(b));
		scheduler.updateFromOutput(step4, new int[] { 62 });
		assertEquals(List.of(60, 61, 62), bOut.tokens);
		assertArrayEquals(new int[] { 100, 101, 102, 103, 104, 105, 106, 60, 61, 62 },
				java.util.Arrays.copyOf(b.tokensView(), b.numTokens()));
	}

	@Test
	void sequenceThatCannotGrowPreemptsItselfWhenItIsTheNewest() {
		KvCacheManager kv = new KvCacheManager(3, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(8, 100), kv);
		Sequence a = sequence(1, range(0, 3));
		Sequence b = sequence(2, range(100, 108));
		scheduler.add(a);
		scheduler.add(b);
		SchedulerOutput step1 = scheduler.schedule();
		assertEquals(List.of("1:0+3*", "2:0+8*"), describe(step1));
		scheduler.updateFromOutput(step1, new int[] { 50, 60 });

		SchedulerOutput step2 = scheduler.schedule();
		assertEquals(List.of("1:3+1*"), describe(step2));
		assertEquals(List.of(2L), ids(step2.preempted()));
		assertArrayEquals(new int[] { 0 }, kv.blockTable(a));
		assertEquals(1, kv.stats().usedBlocks());
	}

	@Test
	void waitingSequencesAreNotAdmittedInAStepThatPreempted() {
		KvCacheManager kv = new KvCacheManager(3, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(8, 100), kv);
		scheduler.add(sequence(1, range(0, 4)));
		scheduler.add(sequence(2, range(100, 108)));
		scheduler.updateFromOutput(scheduler.schedule(), new int[] { 50, 60 });
		scheduler.add(sequence(3, range(200, 201)));
		SchedulerOutput step2 = scheduler.schedule();
		assertEquals(List.of("1:4+1*"), describe(step2));
		assertEquals(List.of(2L), ids(step2.preempted()));
		assertEquals(List.of(), step2.admitted());
		assertEquals(2, scheduler.numWaiting());
	}

	@Test
	void tokenBudgetSmallerThanTheBatchIsRefused() {
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SchedulerLimits(16, 8));
		assertEquals("max tokens per step (8) must be at least max running sequences (16)", e.getMessage());
	}

	@Test
	void abortFreesBlocksAndFinishesOnce() {
		KvCacheManager kv = new KvCacheManager(10, BLOCK, true);
		Scheduler scheduler = new Scheduler(new SchedulerLimits(8, 100), kv);
		RecordingConsumer running = new RecordingConsumer();
		RecordingConsumer queued = new RecordingConsumer();
		Sequence a = sequence(1, range(0, 9), running);
		scheduler.add(a);
		scheduler.schedule();
		Sequence b = sequence(2, range(0, 2), queued);
		scheduler.add(b);
		scheduler.abort(a, FinishReason.CANCELLED, null);
		scheduler.abort(a, FinishReason.CANCELLED, null);
		scheduler.abort(b, FinishReason.CANCELLED, null);
		assertEquals(1, running.finishCalls);
		assertEquals(FinishReason.CANCELLED, queued.finishReason);
		assertEquals(0, kv.stats().usedBlocks());
		assertEquals(false, scheduler.hasWork());
	}

}
