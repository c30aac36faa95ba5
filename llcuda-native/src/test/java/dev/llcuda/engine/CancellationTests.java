package dev.llcuda.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A Cancellation runs each action once, also one registered after it fired, and
 * interrupts no thread.
 */
class CancellationTests {

	@Test
	void runsEveryActionOnceAndALateOneAtOnceWithoutInterrupting() {
		Cancellation cancellation = new Cancellation();
		List<String> ran = new ArrayList<>();
		cancellation.onCancel(() -> ran.add("first"));
		cancellation.onCancel(() -> ran.add("second"));
		assertFalse(cancellation.isCancelled());
		assertEquals(List.of(), ran);

		cancellation.cancel();
		cancellation.cancel();
		assertTrue(cancellation.isCancelled());
		assertEquals(List.of("first", "second"), ran);

		cancellation.onCancel(() -> ran.add("late"));
		assertEquals(List.of("first", "second", "late"), ran);
		assertFalse(Thread.currentThread().isInterrupted());
	}

}
