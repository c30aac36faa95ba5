package dev.llcuda.cli;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * CPU time of the engine thread ({@code llcuda-engine}) of the one engine this process
 * runs.
 */
record EngineThreadClock(ThreadMXBean threads, long threadId) {

	static EngineThreadClock find() {
		Thread engine = Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter(t -> t.getName().equals("llcuda-engine"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("no llcuda-engine thread is running"));
		return new EngineThreadClock(ManagementFactory.getThreadMXBean(), engine.getId());
	}

	long cpuNanos() {
		return threads.getThreadCpuTime(threadId);
	}
}
