package dev.llcuda.engine;

import java.util.List;

/** Test helper: the engine's own threads still alive. */
final class EngineThreads {

	private EngineThreads() {
	}

	/**
	 * Waits up to five seconds for every llcuda-engine thread to end; returns those still
	 * alive.
	 */
	static List<String> awaitNoneAlive() throws InterruptedException {
		long until = System.nanoTime() + 5_000_000_000L;
		List<String> alive;
		do {
			alive = Thread.getAllStackTraces()
				.keySet()
				.stream()
				.filter(t -> t.isAlive() && t.getName().startsWith("llcuda-engine"))
				.map(Thread::getName)
				.toList();
			if (alive.isEmpty()) {
				return alive;
			}
			Thread.sleep(10);
		}
		while (System.nanoTime() < until);
		return alive;
	}

}
