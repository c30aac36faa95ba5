package dev.llcuda.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.llcuda.hub.DownloadProgress;
import dev.llcuda.hub.HubDownloader;
import dev.llcuda.hub.HubFile;

/**
 * Model downloads from the hub into the first model folder, each registered once its
 * SHA-256 matched the hub's. One pull per file name at a time; progress is logged and
 * kept for the registry's listing until the same file is pulled again. Closing interrupts
 * the running pulls (their partial files stay for the next pull to resume).
 */
public final class ModelPulls implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ModelPulls.class);

	private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

	private final ModelRegistry registry;

	private final HubDownloader downloader;

	private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
		Thread thread = new Thread(task, "llcuda-pull");
		thread.setDaemon(true);
		return thread;
	});

	private final Clock clock;

	private final Map<String, ModelPull> pulls = new ConcurrentHashMap<>();

	public ModelPulls(ModelRegistry registry, HubDownloader downloader, Clock clock) {
		this.registry = registry;
		this.downloader = downloader;
		this.clock = clock;
	}

	@Override
	public void close() {
		this.executor.shutdownNow();
	}

	/**
	 * Starts downloading {@code file}; refused while the same file name is being pulled
	 * or already exists.
	 */
	public ModelPull.Status start(HubFile file) {
		Path folder = this.registry.folders().primary();
		Path target = folder.resolve(file.localName()).normalize();
		if (!folder.equals(target.getParent())) {
			throw new IllegalArgumentException("file '" + file.file() + "' would leave the model folder " + folder);
		}
		if (Files.exists(target)) {
			throw new IllegalStateException(target + " already exists; register it instead of pulling it");
		}
		ModelPull pull = new ModelPull(file, target, this.clock.instant());
		ModelPull running = this.pulls.compute(file.localName(),
				(name, earlier) -> earlier != null && !earlier.status().state().finished() ? earlier : pull);
		if (running != pull) {
			throw new IllegalStateException(file.localName() + " is being pulled already (" + running.file() + ")");
		}
		logger.info("llcuda pull {}: downloading into {}", file, target);
		this.executor.execute(() -> run(pull));
		return pull.status();
	}

	/** Cancels the pull of {@code file}'s name; false when none is running. */
	public boolean cancel(HubFile file) {
		ModelPull pull = this.pulls.get(file.localName());
		return pull != null && pull.cancel();
	}

	/** Every pull known since start-up, the newest first. */
	public List<ModelPull.Status> pulls() {
		return this.pulls.values()
			.stream()
			.map(ModelPull::status)
			.sorted(Comparator.comparing(ModelPull.Status::startedAt).reversed())
			.toList();
	}

	private void run(ModelPull pull) {
		long[] logged = { System.nanoTime() };
		try {
			Files.createDirectories(pull.target().getParent());
			this.downloader.download(pull.file(), pull.target(), progress -> {
				pull.progress(progress);
				long now = System.nanoTime();
				if (now - logged[0] >= LOG_INTERVAL_NANOS) {
					logged[0] = now;
					logger.info("llcuda pull {}: {}", pull.file(), describe(progress));
				}
			}, pull::cancelled);
			pull.verified();
			ModelRecord model = this.registry.register(pull.target());
			pull.done(model.id());
			logger.info("llcuda pull {}: done, registered as model {} ({})", pull.file(), model.id(), pull.target());
		}
		catch (CancellationException e) {
			pull.failed(ModelPull.State.CANCELLED, "cancelled");
			logger.info("llcuda pull {}: cancelled", pull.file());
		}
		catch (IOException | RuntimeException e) {
			pull.failed(ModelPull.State.FAILED, String.valueOf(e.getMessage()));
			logger.warn("llcuda pull {}: failed: {}", pull.file(), e.getMessage());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			pull.failed(ModelPull.State.FAILED, "interrupted");
		}
	}

	private static String describe(DownloadProgress progress) {
		String percent = progress.totalBytes() > 0 ? String.format(Locale.ROOT, "%.1f%% ", progress.percent()) : "";
		return percent + progress.bytes() + " of " + progress.totalBytes() + " bytes, "
				+ Math.round(progress.bytesPerSecond() / 1e6) + " MB/s, ETA "
				+ (progress.eta() == null ? "unknown" : progress.eta().toSeconds() + " s");
	}

}
