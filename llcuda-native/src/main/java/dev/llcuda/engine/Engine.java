package dev.llcuda.engine;

import dev.llcuda.grammar.GrammarMatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.TreeSet;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Continuous-batching inference over one model and its KV cache. One engine thread owns
 * the model: each step it takes in new requests and cancellations, lets the
 * {@link Scheduler} pick the batch, runs one {@link StepRunner#step} and applies the
 * sampled tokens. Callers never block it: {@link #submit} only enqueues (or rejects at
 * once when the queue is full), and streams and results are delivered on a separate
 * executor.
 */
public final class Engine implements AutoCloseable {

	private static final System.Logger logger = System.getLogger(Engine.class.getName());

	/** Lifecycle of an engine. */
	public enum State {

		/** Accepting and running requests. */
		RUNNING,
		/** Shutting down: no new requests, requests in flight finish. */
		DRAINING,
		/** Shut down; the model is freed. */
		STOPPED,
		/**
		 * A step failed for a reason no single request explains (device, memory,
		 * internal); every request in flight ended with {@link FinishReason#ERROR}. A
		 * request's own fault (a refused sequence, logits without a finite value) ends
		 * only that request.
		 */
		FAILED

	}

	private final StepRunner runner;

	private final EngineConfig config;

	private final KvCacheManager kv;

	private final Scheduler scheduler;

	private final int contextLimit;

	private final ExecutorService deliveryPool;

	/**
	 * The delivery pool, or the calling thread once the pool is shut down (a late
	 * subscriber still gets everything).
	 */
	private final Executor delivery;

	private final Thread thread;

	private final Object lock = new Object();

	private final ArrayDeque<Sequence> inbox = new ArrayDeque<>(); // guarded by lock

	private final ArrayDeque<Long> cancels = new ArrayDeque<>(); // guarded by lock

	private boolean cancelAll; // guarded by lock

	private volatile State state = State.RUNNING; // written under lock

	private volatile @Nullable Throwable failure;

	private final CompletableFuture<Throwable> failed = new CompletableFuture<>();

	private boolean runnerClosed; // guarded by lock

	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicLong nextId = new AtomicLong();

	// Owned by the engine thread.
	private final Map<Long, Sequence> live = new HashMap<>();

	private long promptTokensTotal;

	private long generatedTokensTotal;

	private long computedTokensTotal;

	private long steps;

	private long finishedTotal;

	private long stepNanosTotal;

	private long schedulingNanosTotal;

	private volatile EngineStats stats;

	private Engine(StepRunner runner, EngineConfig config) {
		this.runner = runner;
		this.config = config;
		this.kv = new KvCacheManager(runner.kvBlocks(), runner.kvBlockSize(), config.prefixCaching(),
				runner.kvWindow());
		this.scheduler = new Scheduler(config.schedulerLimits(), kv);
		this.contextLimit = (int) Math.min(runner.contextLength(), (long) runner.kvBlocks() * runner.kvBlockSize());
		// Streams and results are delivered here, never on the engine thread. A
		// work-stealing pool
		// makes a hand-off cost about a microsecond (a cached pool's hand-off wakes a
		// thread per piece).
		AtomicInteger deliveryThreads = new AtomicInteger();
		this.deliveryPool = new ForkJoinPool(Math.max(2, Runtime.getRuntime().availableProcessors()), pool -> {
			ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
			t.setName("llcuda-engine-delivery-" + deliveryThreads.incrementAndGet());
			t.setDaemon(true);
			return t;
		}, null, true);
		this.delivery = task -> {
			try {
				deliveryPool.execute(task);
			}
			catch (RejectedExecutionException shutDown) {
				task.run();
			}
		};
		this.thread = new Thread(this::run, "llcuda-engine");
		this.thread.setDaemon(true);
		publishStats();
	}

	/**
	 * Starts the engine thread over {@code runner}, which the engine then owns and
	 * closes.
	 */
	public static Engine start(StepRunner runner, EngineConfig config) {
		Engine engine = new Engine(runner, config);
		engine.thread.start();
		return engine;
	}

	/**
	 * Most tokens (prompt plus generated) one request can hold: the context, bounded by
	 * the KV cache.
	 */
	public int contextLimit() {
		return contextLimit;
	}

	/** Size of the model's vocabulary: prompt token ids must lie below it. */
	public int vocabSize() {
		return runner.vocabSize();
	}

	public State state() {
		return state;
	}

	/** Why the engine failed, when {@link #state()} is {@link State#FAILED}. */
	public @Nullable Throwable failure() {
		return failure;
	}

	/**
	 * Completes with the cause when the engine fails (after every request in flight
	 * ended); never otherwise.
	 */
	public CompletionStage<Throwable> whenFailed() {
		return failed.minimalCompletionStage();
	}

	/**
	 * Queues a request. Never blocks.
	 * @throws EngineOverloadedException when {@code maxQueuedRequests} requests already
	 * wait
	 * @throws InvalidRequestException when a prompt token is outside the vocabulary, the
	 * prompt fills the context or the request names an adapter the model was not loaded
	 * with
	 * @throws IllegalStateException when the engine is shutting down, stopped or failed
	 */
	public RequestHandle submit(GenerationRequest request) {
		int[] prompt = request.promptTokens();
		validatePrompt(prompt);
		request.adapters().forEach(use -> validateAdapter(use.name()));
		long id = nextId.incrementAndGet();
		Runnable canceller = () -> cancel(id);
		PieceStream stream = new PieceStream(delivery, canceller);
		CompletableFuture<GenerationResult> result = new CompletableFuture<>();
		OutputAssembler output = new OutputAssembler(prompt.length, config.endOfGeneration(),
				config.decoder().newDecoder(), new StopStrings(request.stopStrings()), stream, result, delivery,
				config.listener(), System.nanoTime());
		Sequence seq = new Sequence(id, prompt, request.maxTokens(), contextLimit, request.sampling(), output,
				request.deadline().orElse(null), request.adapters());
		request.constraint().ifPresent(masks -> {
			if (masks.trie().vocabSize() != runner.vocabSize()) {
				throw new IllegalArgumentException("the constraint's vocabulary has " + masks.trie().vocabSize()
						+ " tokens, the model's " + runner.vocabSize());
			}
			seq.grammar = masks.newMatcher();
		});
		seq.topLogprobs = request.topLogprobs();
		synchronized (lock) {
			if (state != State.RUNNING) {
				throw new IllegalStateException("engine is " + state.name().toLowerCase()
						+ (failure != null ? " (" + failure.getMessage() + ")" : "") + "; request refused");
			}
			if (queued.get() >= config.maxQueuedRequests()) {
				throw new EngineOverloadedException(config.maxQueuedRequests());
			}
			queued.incrementAndGet();
			inbox.addLast(seq);
			lock.notifyAll();
		}
		return new RequestHandle(id, stream, result, canceller);
	}

	private void validateAdapter(String name) {
		if (!runner.adapters().contains(name)) {
			throw new InvalidRequestException("unknown adapter '" + name + "'"
					+ (runner.adapters().isEmpty() ? ": the model was loaded without adapters"
							: "; loaded: " + String.join(", ", new TreeSet<>(runner.adapters()))));
		}
	}

	private void validatePrompt(int[] prompt) {
		if (prompt.length >= contextLimit) {
			throw new InvalidRequestException("prompt has " + prompt.length + " tokens; the context holds "
					+ contextLimit + " and needs room for at least one generated token");
		}
		int vocab = runner.vocabSize();
		for (int i = 0; i < prompt.length; i++) {
			if (prompt[i] < 0 || prompt[i] >= vocab) {
				throw new InvalidRequestException("prompt token " + prompt[i] + " at index " + i
						+ " is outside the vocabulary of " + vocab + " tokens");
			}
		}
	}

	private void cancel(long id) {
		synchronized (lock) {
			cancels.addLast(id);
			lock.notifyAll();
		}
	}

	/** A snapshot of the counters; safe from any thread. */
	public EngineStats stats() {
		EngineStats s = stats;
		return new EngineStats(state, queued.get(), s.running(), s.preemptedTotal(), s.kvBlocksUsed(),
				s.kvBlocksTotal(), s.prefixCacheHitRate(), s.promptTokensTotal(), s.generatedTokensTotal(),
				s.computedTokensTotal(), s.steps(), s.finishedTotal(), s.stepNanosTotal(), s.schedulingNanosTotal());
	}

	/**
	 * Stops taking requests, lets those in flight finish for up to {@code timeout},
	 * cancels the rest, then frees the model. Returns true when everything finished
	 * within the timeout.
	 */
	public boolean shutdown(Duration timeout) {
		synchronized (lock) {
			if (state == State.RUNNING) {
				state = State.DRAINING;
			}
			lock.notifyAll();
		}
		boolean graceful = join(timeout);
		if (!graceful) {
			synchronized (lock) {
				cancelAll = true;
				lock.notifyAll();
			}
			joinUninterruptibly();
		}
		synchronized (lock) {
			if (!runnerClosed) {
				runnerClosed = true;
				runner.close();
			}
			if (state != State.FAILED) {
				state = State.STOPPED;
			}
		}
		deliveryPool.shutdown();
		return graceful;
	}

	/** Cancels every request in flight and frees the model. */
	@Override
	public void close() {
		shutdown(Duration.ZERO);
	}

	private boolean join(Duration timeout) {
		try {
			if (!timeout.isZero() && !timeout.isNegative()) {
				thread.join(Math.max(1, timeout.toMillis()));
			}
			return !thread.isAlive();
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	private void joinUninterruptibly() {
		boolean interrupted = false;
		while (thread.isAlive()) {
			try {
				thread.join();
			}
			catch (InterruptedException e) {
				interrupted = true;
			}
		}
		if (interrupted) {
			Thread.currentThread().interrupt();
		}
	}

	// ------------------------------------------------------------------ engine thread

	private void run() {
		try {
			while (true) {
				List<Sequence> arrived;
				List<Long> cancelled;
				boolean stopNow;
				synchronized (lock) {
					while (inbox.isEmpty() && cancels.isEmpty() && !cancelAll && !scheduler.hasWork()
							&& state == State.RUNNING) {
						lock.wait();
					}
					if (inbox.isEmpty() && !scheduler.hasWork() && state != State.RUNNING) {
						return;
					}
					arrived = new ArrayList<>(inbox);
					inbox.clear();
					cancelled = new ArrayList<>(cancels);
					cancels.clear();
					stopNow = cancelAll;
				}
				for (Sequence seq : arrived) {
					live.put(seq.id, seq);
					scheduler.add(seq);
				}
				for (Long id : cancelled) {
					Sequence seq = live.get(id);
					if (seq != null) {
						abort(seq, FinishReason.CANCELLED, null);
					}
				}
				if (stopNow) {
					abortAll(FinishReason.CANCELLED, null);
				}
				else {
					expireDeadlines();
				}
				if (scheduler.hasWork()) {
					runStep();
				}
				publishStats();
			}
		}
		catch (InterruptedException e) {
			fail(new IllegalStateException("engine thread interrupted", e));
		}
		catch (Throwable t) {
			fail(t);
		}
		finally {
			publishStats();
		}
	}

	private void runStep() {
		long begin = System.nanoTime();
		SchedulerOutput out = scheduler.schedule();
		if (out.isEmpty()) {
			throw new IllegalStateException("scheduler fitted no work although " + scheduler.numWaiting()
					+ " requests wait and " + scheduler.numRunning() + " run (" + kv.stats() + ")");
		}
		for (Sequence seq : out.admitted()) {
			if (!seq.started) {
				seq.started = true;
				queued.decrementAndGet();
				promptTokensTotal += seq.promptLength;
			}
		}
		List<ScheduledChunk> chunks = out.chunks();
		List<StepSequence> batch = new ArrayList<>(chunks.size());
		int sampling = 0;
		for (ScheduledChunk chunk : chunks) {
			Sequence seq = chunk.sequence();
			batch.add(new StepSequence(seq.tokensView(), chunk.start(), chunk.numTokens(), kv.blockTable(seq),
					chunk.sample(), seq.sampling,
					chunk.sample() && seq.grammar != null ? seq.grammar.allowedTokens() : null, seq.adapters,
					seq.topLogprobs));
			sampling += chunk.sample() ? 1 : 0;
		}
		int[] sampled = new int[chunks.size()];
		Arrays.fill(sampled, -1);
		TokenLogprobs[] logprobs = new TokenLogprobs[chunks.size()];
		long stepBegin = System.nanoTime();
		try {
			runner.step(batch, sampled, logprobs);
		}
		catch (StepRejectedException rejected) {
			runEachAlone(batch, chunks, sampled, logprobs);
		}
		long stepEnd = System.nanoTime();
		steps++;
		computedTokensTotal += out.totalTokens();
		generatedTokensTotal += sampling;
		failUnsampled(chunks, sampled);
		advanceGrammars(chunks, sampled);
		for (int i = 0; i < chunks.size(); i++) {
			Sequence seq = chunks.get(i).sequence();
			if (logprobs[i] != null && seq.status == Sequence.Status.RUNNING) {
				seq.consumer.acceptLogprobs(logprobs[i]);
			}
		}
		for (Sequence seq : scheduler.updateFromOutput(out, sampled)) {
			live.remove(seq.id);
			finishedTotal++;
		}
		stepNanosTotal += stepEnd - stepBegin;
		schedulingNanosTotal += System.nanoTime() - begin - (stepEnd - stepBegin);
	}

	/**
	 * After the runner refused the batch (nothing computed), runs each sequence in a step
	 * of its own: those refused alone end with an {@link InvalidRequestException}, the
	 * others go on.
	 */
	private void runEachAlone(List<StepSequence> batch, List<ScheduledChunk> chunks, int[] sampled,
			@Nullable TokenLogprobs[] logprobs) {
		int[] one = new int[1];
		TokenLogprobs[] oneLogprobs = new TokenLogprobs[1];
		for (int i = 0; i < batch.size(); i++) {
			one[0] = -1;
			oneLogprobs[0] = null;
			try {
				runner.step(List.of(batch.get(i)), one, oneLogprobs);
				sampled[i] = one[0];
				logprobs[i] = oneLogprobs[0];
			}
			catch (StepRejectedException rejected) {
				abort(chunks.get(i).sequence(), FinishReason.ERROR,
						new InvalidRequestException("request refused: " + rejected.getMessage(), rejected));
			}
		}
	}

	/**
	 * Ends the requests whose logits had no finite value (the model's numbers, for this
	 * request alone); any other token outside the vocabulary is an internal fault of the
	 * engine.
	 */
	private void failUnsampled(List<ScheduledChunk> chunks, int[] sampled) {
		int vocab = runner.vocabSize();
		for (int i = 0; i < chunks.size(); i++) {
			Sequence seq = chunks.get(i).sequence();
			if (!chunks.get(i).sample() || seq.status == Sequence.Status.FINISHED) {
				continue;
			}
			if (sampled[i] == StepRunner.NO_FINITE_LOGIT) {
				abort(seq, FinishReason.ERROR,
						new IllegalStateException("the model gave no finite logit for the "
								+ "next token of this request (NaN or infinite values at position " + seq.numTokens()
								+ "); the request was ended, the engine goes on"));
			}
			else if (sampled[i] < 0 || sampled[i] >= vocab) {
				throw new IllegalStateException("step returned token " + sampled[i] + " for sequence " + i
						+ ", outside the vocabulary of " + vocab);
			}
		}
	}

	/**
	 * Each constrained sequence's grammar takes its sampled token (refusing one outside
	 * its mask).
	 */
	private static void advanceGrammars(List<ScheduledChunk> chunks, int[] sampled) {
		for (int i = 0; i < chunks.size(); i++) {
			GrammarMatcher grammar = chunks.get(i).sequence().grammar;
			// a sequence failUnsampled ended (no finite logit) has no token for its
			// grammar
			if (chunks.get(i).sample() && grammar != null && sampled[i] >= 0) {
				grammar.accept(sampled[i]);
			}
		}
	}

	private void expireDeadlines() {
		Instant now = null;
		List<Sequence> expired = new ArrayList<>();
		for (Sequence seq : live.values()) {
			if (seq.deadline != null) {
				now = now == null ? Instant.now() : now;
				if (now.isAfter(seq.deadline)) {
					expired.add(seq);
				}
			}
		}
		for (Sequence seq : expired) {
			abort(seq, FinishReason.CANCELLED, null);
		}
	}

	private void abort(Sequence seq, FinishReason reason, @Nullable Throwable error) {
		if (!seq.started) {
			seq.started = true;
			queued.decrementAndGet();
		}
		live.remove(seq.id);
		finishedTotal++;
		scheduler.abort(seq, reason, error);
	}

	private void abortAll(FinishReason reason, @Nullable Throwable error) {
		for (Sequence seq : List.copyOf(live.values())) {
			abort(seq, reason, error);
		}
	}

	/**
	 * Ends every request with an error after a failed step; the engine takes no more
	 * requests.
	 */
	private void fail(Throwable cause) {
		logger.log(System.Logger.Level.ERROR, "llcuda: the engine failed; every request in flight ends with an error",
				cause);
		List<Sequence> arrived;
		synchronized (lock) {
			failure = cause;
			state = State.FAILED;
			arrived = new ArrayList<>(inbox);
			inbox.clear();
			cancels.clear();
		}
		for (Sequence seq : arrived) {
			live.put(seq.id, seq);
		}
		for (Sequence seq : List.copyOf(live.values())) {
			try {
				abort(seq, FinishReason.ERROR, cause);
			}
			catch (RuntimeException e) {
				// The scheduler may be inconsistent after the failure; the caller still
				// gets its answer.
				if (seq.status != Sequence.Status.FINISHED) {
					seq.status = Sequence.Status.FINISHED;
					seq.consumer.finish(FinishReason.ERROR, cause);
				}
			}
		}
		failed.complete(cause);
	}

	private void publishStats() {
		KvCacheStats kvStats = kv.stats();
		stats = new EngineStats(state, queued.get(), scheduler.numRunning(), scheduler.preemptedTotal(),
				kvStats.usedBlocks(), kvStats.totalBlocks(), kvStats.prefixHitRate(), promptTokensTotal,
				generatedTokensTotal, computedTokensTotal, steps, finishedTotal, stepNanosTotal, schedulingNanosTotal);
	}

	/**
	 * KV cache counters (tests and diagnostics; read after the engine stopped or from its
	 * thread).
	 */
	KvCacheStats kvStats() {
		return kv.stats();
	}

}
