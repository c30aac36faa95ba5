package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.llcuda.autoconfigure.LlcudaProperties;

/**
 * The drain: no new requests once stopping, those in flight get the timeout, then are
 * ended.
 */
class InFlightRequestsTests {

	@Test
	void aStopRefusesNewRequestsWaitsForThoseInFlightThenEndsTheRest() throws Exception {
		InFlightRequests requests = requests(Duration.ofMillis(200));
		AtomicInteger terminated = new AtomicInteger();
		InFlightRequests.Exchange finishing = terminated::incrementAndGet;
		InFlightRequests.Exchange stuck = () -> terminated.addAndGet(10);
		requests.enter(finishing);
		requests.enter(stuck);
		CompletableFuture.runAsync(() -> {
			sleep(50);
			requests.leave(finishing);
		});
		CompletableFuture<Void> stop = CompletableFuture.runAsync(requests::stop);
		sleep(20);
		assertThatThrownBy(() -> requests.enter(() -> {
		})).isInstanceOf(ServiceStoppingException.class);
		stop.get(5, TimeUnit.SECONDS);
		assertThat(terminated).as("only the request still running at the timeout is ended").hasValue(10);
		assertThat(requests.isRunning()).isFalse();
	}

	@Test
	void aBlockingRequestStillRunningAtTheEndOfTheDrainIsCancelledWithoutInterruptAndAnswers503() throws Exception {
		InFlightRequests requests = requests(Duration.ofMillis(100));
		CountDownLatch waiting = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		CompletableFuture<Object> call = CompletableFuture.supplyAsync(() -> requests.call(cancellation -> {
			CountDownLatch generation = new CountDownLatch(1); // stands for the engine,
																// ended by its cancel
			cancellation.onCancel(generation::countDown);
			waiting.countDown();
			try {
				generation.await();
			}
			catch (InterruptedException e) {
				throw new IllegalStateException("interrupted", e);
			}
			interrupted.set(Thread.currentThread().isInterrupted());
			return "cancelled";
		}));
		assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();
		requests.stop();
		assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ServiceStoppingException.class);
		assertThat(interrupted).as("the waiting thread's interrupt flag").isFalse();
		assertThat(requests.size()).isZero();
		assertThat(ApiErrors.of(new ServiceStoppingException("x")).status().value()).isEqualTo(503);
	}

	private static InFlightRequests requests(Duration timeout) {
		LlcudaProperties properties = new LlcudaProperties();
		properties.getEngine().setShutdownTimeout(timeout);
		InFlightRequests requests = new InFlightRequests(properties);
		requests.start();
		return requests;
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

}
