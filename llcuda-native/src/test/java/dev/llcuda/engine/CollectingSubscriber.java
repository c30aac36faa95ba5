package dev.llcuda.engine;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;

/** Test subscriber: unbounded demand, records pieces and how the stream ended. */
final class CollectingSubscriber implements Flow.Subscriber<TokenPiece> {

	final List<TokenPiece> pieces = new CopyOnWriteArrayList<>();

	final CountDownLatch ended = new CountDownLatch(1);

	volatile Throwable error;

	volatile boolean completed;

	volatile Flow.Subscription subscription;

	@Override
	public void onSubscribe(Flow.Subscription s) {
		subscription = s;
		s.request(Long.MAX_VALUE);
	}

	@Override
	public void onNext(TokenPiece item) {
		pieces.add(item);
	}

	@Override
	public void onError(Throwable throwable) {
		error = throwable;
		ended.countDown();
	}

	@Override
	public void onComplete() {
		completed = true;
		ended.countDown();
	}

	String text() {
		StringBuilder s = new StringBuilder();
		pieces.forEach(p -> s.append(p.text()));
		return s.toString();
	}

}
