package dev.llcuda.engine;

import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The token stream of one request: a {@link Flow.Publisher} for one subscriber that
 * buffers every piece from the start (a late subscriber misses nothing), honours demand,
 * keeps order, and calls the subscriber on the delivery executor, never on the engine
 * thread. Cancelling the subscription cancels the request.
 */
final class PieceStream implements Flow.Publisher<TokenPiece> {

	private final Executor executor;

	private final Runnable onCancel;

	private final Queue<TokenPiece> queue = new ConcurrentLinkedQueue<>();

	private final AtomicReference<Flow.Subscriber<? super TokenPiece>> subscriber = new AtomicReference<>();

	private final AtomicLong requested = new AtomicLong();

	private final AtomicInteger work = new AtomicInteger();

	private volatile boolean done;

	private volatile @Nullable Throwable error;

	private volatile boolean cancelled;

	private boolean terminated;

	PieceStream(Executor executor, Runnable onCancel) {
		this.executor = executor;
		this.onCancel = onCancel;
	}

	/** Engine side: appends a piece; delivery starts once someone subscribes. */
	void emit(TokenPiece piece) {
		queue.offer(piece);
		if (subscriber.get() != null) {
			drainLater();
		}
	}

	/** Engine side: no more pieces; {@code failure} null for a normal end. */
	void end(@Nullable Throwable failure) {
		error = failure;
		done = true;
		if (subscriber.get() != null) {
			drainLater();
		}
	}

	@Override
	public void subscribe(Flow.Subscriber<? super TokenPiece> s) {
		Objects.requireNonNull(s, "subscriber");
		if (!subscriber.compareAndSet(null, s)) {
			s.onSubscribe(new Flow.Subscription() {
				@Override
				public void request(long n) {
				}

				@Override
				public void cancel() {
				}
			});
			s.onError(new IllegalStateException("a request's token stream accepts one subscriber only"));
			return;
		}
		s.onSubscribe(new Flow.Subscription() {
			@Override
			public void request(long n) {
				if (n <= 0) {
					error = new IllegalArgumentException("request(" + n + "): demand must be positive (rule 3.9)");
					done = true;
					queue.clear();
				}
				else {
					requested.getAndUpdate(r -> r + n < 0 ? Long.MAX_VALUE : r + n);
				}
				drainLater();
			}

			@Override
			public void cancel() {
				if (!cancelled) {
					cancelled = true;
					onCancel.run();
				}
			}
		});
		drainLater();
	}

	private void drainLater() {
		if (work.getAndIncrement() == 0) {
			executor.execute(this::drain);
		}
	}

	/*
	 * Serial drain: at most one runs at a time (the work counter), so pieces stay in
	 * order. The engine schedules a drain only once a subscriber is set; subscribe() sets
	 * it before its own drain, so a piece offered before that is found by that drain.
	 */
	private void drain() {
		int missed = 1;
		do {
			Flow.Subscriber<? super TokenPiece> s = subscriber.get();
			if (s != null && !cancelled && !terminated) {
				long demand = requested.get();
				long sent = 0;
				while (sent != demand && !cancelled) {
					TokenPiece piece = queue.poll();
					if (piece == null) {
						break;
					}
					s.onNext(piece);
					sent++;
				}
				if (sent != 0 && demand != Long.MAX_VALUE) {
					requested.addAndGet(-sent);
				}
				// Read done before looking at the queue: an item offered before done is
				// then seen.
				if (done && queue.isEmpty() && !cancelled) {
					terminated = true;
					Throwable failure = error;
					if (failure == null) {
						s.onComplete();
					}
					else {
						s.onError(failure);
					}
				}
			}
			missed = work.addAndGet(-missed);
		}
		while (missed != 0);
	}

}
