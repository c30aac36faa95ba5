package dev.llcuda.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Continuous batching without prefill or decode phases: every sequence has computed
 * tokens and tokens it wants computed; each {@link #schedule()} fills one step's token
 * budget with decode tokens of running sequences first, then prompt chunks of running
 * sequences, then prompt chunks of waiting ones (first come, first served). When KV
 * blocks run out, the newest running sequence is preempted: its blocks are freed and it
 * waits to be recomputed, generated tokens included, so its output is neither lost nor
 * repeated. Used by the engine thread only.
 */
final class Scheduler {

	private static final System.Logger logger = System.getLogger(Scheduler.class.getName());

	private final SchedulerLimits limits;

	private final KvCacheManager kv;

	private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();

	private final List<Sequence> running = new ArrayList<>();

	private long preemptedTotal;

	Scheduler(SchedulerLimits limits, KvCacheManager kv) {
		this.limits = limits;
		this.kv = kv;
	}

	void add(Sequence seq) {
		seq.status = Sequence.Status.WAITING;
		waiting.addLast(seq);
	}

	boolean hasWork() {
		return !waiting.isEmpty() || !running.isEmpty();
	}

	int numWaiting() {
		return waiting.size();
	}

	int numRunning() {
		return running.size();
	}

	long preemptedTotal() {
		return preemptedTotal;
	}

	SchedulerOutput schedule() {
		Plan plan = new Plan(limits.maxTokensPerStep());
		scheduleRunning(plan, seq -> seq.numUncomputed() == 1);
		scheduleRunning(plan, seq -> seq.numUncomputed() > 1);
		if (plan.preempted.isEmpty()) {
			admitWaiting(plan);
		}
		List<ScheduledChunk> chunks = new ArrayList<>(plan.scheduled.size());
		plan.scheduled.forEach((seq, n) -> chunks
			.add(new ScheduledChunk(seq, seq.numComputed, n, seq.numComputed + n == seq.numTokens())));
		return new SchedulerOutput(chunks, plan.preempted, plan.admitted);
	}

	private void scheduleRunning(Plan plan, Predicate<Sequence> pass) {
		for (Sequence seq : List.copyOf(running)) {
			if (plan.budget == 0) {
				return;
			}
			if (seq.status != Sequence.Status.RUNNING || plan.scheduled.containsKey(seq) || !pass.test(seq)) {
				continue;
			}
			int n = Math.min(seq.numUncomputed(), plan.budget);
			if (reserveOrPreempt(plan, seq, n)) {
				plan.scheduled.put(seq, n);
				plan.budget -= n;
			}
		}
	}

	/**
	 * Reserves KV room for {@code seq}, preempting the newest running sequences as
	 * needed; false when {@code seq} itself went.
	 */
	private boolean reserveOrPreempt(Plan plan, Sequence seq, int n) {
		while (kv.allocate(seq, n, PrefixHit.NONE) instanceof AllocationResult.NoRoom) {
			Sequence victim = running.remove(running.size() - 1);
			Integer refund = plan.scheduled.remove(victim);
			if (refund != null) {
				plan.budget += refund;
			}
			preempt(victim);
			plan.preempted.add(victim);
			if (victim == seq) {
				return false;
			}
		}
		return true;
	}

	private void preempt(Sequence seq) {
		kv.free(seq);
		seq.numComputed = 0;
		seq.preemptions++;
		seq.status = Sequence.Status.WAITING;
		waiting.addFirst(seq);
		preemptedTotal++;
		logger.log(System.Logger.Level.INFO,
				"llcuda: sequence {0} preempted for lack of KV blocks ({1} so far); "
						+ "it is recomputed when blocks free up",
				String.valueOf(seq.id), String.valueOf(preemptedTotal));
	}

	private void admitWaiting(Plan plan) {
		while (!waiting.isEmpty() && plan.budget > 0 && running.size() < limits.maxRunningSequences()) {
			Sequence seq = waiting.peekFirst();
			PrefixHit hit = kv.findCachedPrefix(seq);
			int n = Math.min(seq.numTokens() - hit.cachedTokens(), plan.budget);
			if (kv.allocate(seq, n, hit) instanceof AllocationResult.NoRoom) {
				return;
			}
			waiting.pollFirst();
			if (seq.preemptions == 0) {
				kv.recordLookup(seq, hit);
			}
			seq.numComputed = hit.cachedTokens();
			seq.status = Sequence.Status.RUNNING;
			running.add(seq);
			plan.scheduled.put(seq, n);
			plan.admitted.add(seq);
			plan.budget -= n;
		}
	}

	/**
	 * Applies a finished step: advances computed tokens, caches newly full blocks,
	 * appends the sampled tokens ({@code sampled[i]} belongs to chunk i) and finishes
	 * sequences that stop.
	 */
	List<Sequence> updateFromOutput(SchedulerOutput output, int[] sampled) {
		List<Sequence> finished = new ArrayList<>();
		List<ScheduledChunk> chunks = output.chunks();
		for (int i = 0; i < chunks.size(); i++) {
			ScheduledChunk chunk = chunks.get(i);
			Sequence seq = chunk.sequence();
			if (seq.status != Sequence.Status.RUNNING) {
				continue;
			}
			seq.numComputed += chunk.numTokens();
			kv.cacheComputedBlocks(seq);
			kv.releaseOutOfWindow(seq);
			if (!chunk.sample()) {
				continue;
			}
			int token = sampled[i];
			seq.append(token);
			boolean full = seq.numTokens() >= seq.maxTotalTokens;
			FinishReason reason = seq.consumer.accept(token, full) ? FinishReason.STOP
					: full ? FinishReason.LENGTH : null;
			if (reason != null) {
				finish(seq, reason, null);
				finished.add(seq);
			}
		}
		return finished;
	}

	/**
	 * Ends a waiting or running sequence now (cancel, deadline, engine failure), freeing
	 * its blocks.
	 */
	void abort(Sequence seq, FinishReason reason, @Nullable Throwable error) {
		if (seq.status == Sequence.Status.FINISHED) {
			return;
		}
		if (seq.status == Sequence.Status.WAITING) {
			waiting.remove(seq);
		}
		finish(seq, reason, error);
	}

	/** Every sequence not finished yet, running first. */
	List<Sequence> unfinished() {
		List<Sequence> all = new ArrayList<>(running);
		all.addAll(waiting);
		return all;
	}

	private void finish(Sequence seq, FinishReason reason, @Nullable Throwable error) {
		running.remove(seq);
		kv.free(seq);
		seq.status = Sequence.Status.FINISHED;
		seq.consumer.finish(reason, error);
	}

	/** Mutable state of one {@link #schedule()} call. */
	private static final class Plan {

		int budget;

		final Map<Sequence, Integer> scheduled = new LinkedHashMap<>();

		final List<Sequence> preempted = new ArrayList<>();

		final List<Sequence> admitted = new ArrayList<>();

		Plan(int budget) {
			this.budget = budget;
		}

	}

}
