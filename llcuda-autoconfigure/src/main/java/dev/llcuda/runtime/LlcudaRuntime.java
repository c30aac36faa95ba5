package dev.llcuda.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.SmartLifecycle;

import dev.llcuda.engine.LoadListener;
import dev.llcuda.nativelib.Sha256;

/**
 * The engine's lifecycle: loads the configured model when the application starts (in the
 * background, so health can say OUT_OF_SERVICE while it loads), switches models on
 * activation, reloads the model by itself when its engine fails (with growing delays,
 * RECOVERING meanwhile), and on stop lets requests in flight finish within the shutdown
 * timeout, then frees the device. Activation is transactional: the new model is loaded
 * and checked beside the old one when memory allows (the CPU always), else the old one is
 * released first and loaded again if the new one fails. It starts before and stops after
 * the web server, so HTTP requests drain into a running engine.
 */
public final class LlcudaRuntime implements SmartLifecycle, ModelActivator {

	/**
	 * Before the web server starts, after it stopped (Boot's web server lifecycles use
	 * DEFAULT_PHASE - 1024/2048).
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	/** How a user gets a model served, repeated wherever no model is loaded. */
	public static final String HOW_TO_LOAD = "set llcuda.model.path to a GGUF file, or register one and activate it "
			+ "with POST /actuator/llcudamodels/{id} (models in llcuda.registry.model-folders)";

	/**
	 * Delay before the first reload of a failed engine; it doubles with every failed
	 * attempt.
	 */
	static final Duration RECOVERY_FIRST_DELAY = Duration.ofSeconds(1);

	/** Longest delay between two reloads of a failed engine. */
	static final Duration RECOVERY_MAX_DELAY = Duration.ofMinutes(5);

	private static final Logger logger = LoggerFactory.getLogger(LlcudaRuntime.class);

	private static final long LOG_INTERVAL_NANOS = 5_000_000_000L;

	private final @Nullable String unavailable;

	private final ModelLoader loader;

	private final @Nullable Path startupModel;

	private final Duration shutdownTimeout;

	private final Object lock = new Object();

	private volatile RuntimeState state = RuntimeState.NO_MODEL;

	private volatile @Nullable ServingModel serving;

	/** The adapters the serving model was activated with beyond the configured ones. */
	private volatile ModelAdapters servedAdapters = ModelAdapters.NONE;

	private volatile @Nullable String failure;

	private volatile @Nullable LoadProgress loadProgress;

	private volatile boolean running;

	private @Nullable Thread startupLoader;

	private final EngineRecovery recovery;

	private final ServedFileDigest digest = new ServedFileDigest(this::serving);

	/**
	 * @param loader loads models onto the device
	 * @param unavailable why no model can be loaded at all (the native library failed),
	 * or null
	 * @param startupModel the model to load at start, or null
	 * @param shutdownTimeout how long a stop lets requests in flight finish
	 */
	public LlcudaRuntime(ModelLoader loader, @Nullable String unavailable, @Nullable Path startupModel,
			Duration shutdownTimeout) {
		this(loader, unavailable, startupModel, shutdownTimeout, RECOVERY_FIRST_DELAY, RECOVERY_MAX_DELAY);
	}

	/**
	 * @param recoveryFirstDelay delay before the first reload of a failed engine
	 * (doubling with every failed attempt)
	 * @param recoveryMaxDelay longest delay between two reloads
	 */
	public LlcudaRuntime(ModelLoader loader, @Nullable String unavailable, @Nullable Path startupModel,
			Duration shutdownTimeout, Duration recoveryFirstDelay, Duration recoveryMaxDelay) {
		this.unavailable = unavailable;
		this.loader = loader;
		this.startupModel = startupModel;
		this.shutdownTimeout = shutdownTimeout;
		this.recovery = new EngineRecovery(this.lock, file -> serve(file, this.servedAdapters), recoveryFirstDelay,
				recoveryMaxDelay, Clock.systemUTC());
	}

	@Override
	public void start() {
		this.running = true;
		if (this.unavailable != null) {
			fail("native library: " + this.unavailable);
			return;
		}
		Path model = this.startupModel;
		if (model == null) {
			logger.warn("llcuda: no model is loaded; {}", HOW_TO_LOAD);
			return;
		}
		this.state = RuntimeState.LOADING;
		Thread thread = new Thread(() -> loadAtStartup(model), "llcuda-model-loader");
		thread.setDaemon(true);
		this.startupLoader = thread;
		thread.start();
	}

	private void loadAtStartup(Path model) {
		try {
			activate(model);
		}
		catch (RuntimeException e) {
			// activate recorded the failure; health reports it
		}
	}

	/**
	 * Loads {@code file} in place of the model serving now. When it fails, the model
	 * serving before serves on: it was never released (it fits beside the new one), or it
	 * is loaded again.
	 */
	@Override
	public void activate(Path file) {
		activate(file, ModelAdapters.NONE);
	}

	/**
	 * Loads {@code file} with {@code adapters} beyond the configured ones, as
	 * {@link #activate(Path)} does; adapters that do not fit the model are refused before
	 * anything is loaded or released.
	 */
	@Override
	public void activate(Path file, ModelAdapters adapters) {
		synchronized (this.lock) {
			this.recovery.cancel();
			serve(file, adapters);
		}
	}

	/**
	 * Activates {@code file} without touching a recovery under way: a recovery's own
	 * reload keeps its status until it has counted itself, so no reader sees the runtime
	 * ready before the recovery is counted.
	 */
	private void serve(Path file, ModelAdapters adapters) {
		synchronized (this.lock) {
			if (this.unavailable != null) {
				throw new IllegalStateException("cannot load " + file + ": native library: " + this.unavailable);
			}
			this.loader.checkAdapters(file, adapters);
			ServingModel previous = this.serving;
			ModelAdapters previousAdapters = this.servedAdapters;
			if (previous != null && previous.engine().failure() != null) {
				release(); // a failed engine serves nothing: free its memory before
							// loading
				previous = null;
			}
			boolean beside = previous == null || this.loader.fitsBesideCurrent(file);
			if (previous != null && !beside) {
				logger.info("llcuda: {} does not fit beside {}; releasing it first", file, previous.path());
				release();
			}
			if (this.serving == null) {
				this.state = RuntimeState.LOADING;
				this.failure = null;
			}
			long started = System.nanoTime();
			try {
				ServingModel model = load(file, adapters);
				this.serving = model;
				this.servedAdapters = adapters;
				this.state = RuntimeState.READY;
				this.failure = null;
				this.recovery.watch(model.engine(), cause -> engineFailed(model, cause));
				if (beside && previous != null) {
					stopServing(previous);
				}
				logger.info("llcuda: serving {} ({}, {}) loaded in {} ms", model.spec().name(),
						model.spec().architecture().ggufName(), model.spec().fileType(),
						(System.nanoTime() - started) / 1_000_000);
			}
			catch (RuntimeException e) {
				recover(file, previous, previousAdapters, beside, e);
				throw e;
			}
		}
	}

	/** Loads {@code file}, keeping how far it is as {@link #tracking} does. */
	private ServingModel load(Path file, ModelAdapters adapters) {
		return tracking(file, LoadListener.Phase.READING_FILE, progress -> adapters.isEmpty()
				? this.loader.load(file, progress) : this.loader.load(file, adapters, progress));
	}

	/**
	 * The file's SHA-256, its bytes hashed reported as the CHECKSUMMING phase of
	 * {@link #loadProgress()} and in the log, as a load's progress.
	 */
	@Override
	public String sha256(Path file) throws IOException {
		try {
			return tracking(file, LoadListener.Phase.CHECKSUMMING, progress -> {
				try {
					return Sha256.of(file,
							(bytes, total) -> progress.progress(LoadListener.Phase.CHECKSUMMING, bytes, total));
				}
				catch (IOException e) {
					throw new UncheckedIOException(e);
				}
			});
		}
		catch (UncheckedIOException e) {
			throw e.getCause();
		}
	}

	/**
	 * Runs {@code work} on {@code file}, starting in {@code firstPhase}, keeping how far
	 * it is for {@link #loadProgress()} and logging it every few seconds.
	 */
	private <T> T tracking(Path file, LoadListener.Phase firstPhase, Function<LoadListener, T> work) {
		Instant startedAt = Instant.now();
		long[] logged = { System.nanoTime() };
		this.loadProgress = new LoadProgress(file, firstPhase, 0, -1, startedAt);
		try {
			return work.apply((phase, bytes, totalBytes) -> {
				LoadProgress now = new LoadProgress(file, phase, bytes, totalBytes, startedAt);
				this.loadProgress = now;
				long nanos = System.nanoTime();
				if (nanos - logged[0] >= LOG_INTERVAL_NANOS) {
					logged[0] = nanos;
					logger.info("llcuda: loading {}: {}{}", file, phase, now.percent() < 0 ? ""
							: String.format(Locale.ROOT, " %.1f%% (%d of %d bytes)", now.percent(), bytes, totalBytes));
				}
			});
		}
		finally {
			this.loadProgress = null;
		}
	}

	/**
	 * After {@code file} failed: the previous model serves on, is loaded again, or the
	 * failure is recorded.
	 */
	private void recover(Path file, @Nullable ServingModel previous, ModelAdapters previousAdapters, boolean beside,
			RuntimeException error) {
		String reason = "model " + file + " failed to load: " + error.getMessage();
		if (previous == null) {
			fail(reason);
			return;
		}
		if (beside) {
			logger.warn("llcuda: {}; {} serves on", reason, previous.path());
			return;
		}
		try {
			ServingModel restored = load(previous.path(), previousAdapters);
			this.serving = restored;
			this.servedAdapters = previousAdapters;
			this.state = RuntimeState.READY;
			this.recovery.watch(restored.engine(), cause -> engineFailed(restored, cause));
			this.failure = null;
			logger.warn("llcuda: {}; {} was loaded again and serves on", reason, previous.path());
		}
		catch (RuntimeException restore) {
			error.addSuppressed(restore);
			fail(reason + "; loading " + previous.path() + " again failed too: " + restore.getMessage());
		}
	}

	/**
	 * Starts reloading {@code model} when it still is the one served (not replaced,
	 * unloaded or stopped).
	 */
	private void engineFailed(ServingModel model, Throwable cause) {
		synchronized (this.lock) {
			if (this.serving == model && this.running) {
				this.recovery.begin(model.path(), cause);
			}
		}
	}

	@Override
	public void unload() {
		synchronized (this.lock) {
			this.recovery.cancel();
			release();
			this.state = RuntimeState.NO_MODEL;
			this.failure = null;
		}
	}

	@Override
	public void stop() {
		Thread thread = this.startupLoader;
		if (thread != null) {
			thread.interrupt();
		}
		this.digest.close();
		synchronized (this.lock) {
			this.recovery.cancel();
			this.recovery.shutdown();
			release();
			this.state = RuntimeState.STOPPED;
			this.running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	private void release() {
		ServingModel current = this.serving;
		if (current == null) {
			return;
		}
		this.serving = null;
		this.servedAdapters = ModelAdapters.NONE;
		stopServing(current);
	}

	private void stopServing(ServingModel model) {
		boolean graceful = model.shutdown(this.shutdownTimeout);
		logger.info("llcuda: stopped serving {} ({})", model.spec().name(), graceful ? "every request finished"
				: "requests still running after " + this.shutdownTimeout + " were cancelled");
	}

	private void fail(String reason) {
		this.state = RuntimeState.FAILED;
		this.failure = reason;
		logger.error("llcuda: {}", reason);
	}

	public RuntimeState state() {
		if (this.recovery.status().isPresent()) {
			return RuntimeState.RECOVERING;
		}
		RuntimeState current = this.state;
		ServingModel model = this.serving;
		if (current == RuntimeState.READY && model != null && model.engine().failure() != null) {
			return RuntimeState.FAILED;
		}
		return current;
	}

	/** Why the runtime failed (native library, model load or engine). */
	public Optional<String> failure() {
		ServingModel model = this.serving;
		if (model != null && model.engine().failure() != null) {
			return Optional.of("engine failed: " + model.engine().failure().getMessage());
		}
		return Optional.ofNullable(this.failure);
	}

	@Override
	public Optional<Path> servedFile() {
		return serving().map(ServingModel::path);
	}

	/**
	 * How the served file changed since it was loaded: size, time or inode, else (when
	 * {@link #verifyDigestEvery} runs) its SHA-256; empty when unchanged.
	 */
	@Override
	public Optional<String> servedFileChange() {
		return serving().flatMap(model -> model.fileChange().or(() -> this.digest.mismatch(model)));
	}

	/**
	 * Re-checks the served file's SHA-256 every {@code interval} until stopped (off
	 * unless called).
	 */
	public void verifyDigestEvery(Duration interval) {
		this.digest.start(interval);
	}

	/**
	 * Where the reloading of a failed engine stands, while {@link #state()} is
	 * RECOVERING.
	 */
	public Optional<RecoveryStatus> recovery() {
		return this.recovery.status();
	}

	/** Failed engines brought back by reloading their model since start. */
	public long recoveries() {
		return this.recovery.recoveries();
	}

	/** The file being loaded now, if any. */
	public Optional<Path> loading() {
		return loadProgress().map(LoadProgress::file);
	}

	/** How far the model being loaded now is, if one is. */
	public Optional<LoadProgress> loadProgress() {
		return Optional.ofNullable(this.loadProgress);
	}

	public Optional<ServingModel> serving() {
		return Optional.ofNullable(this.serving);
	}

	/** The model serving now, or an exception saying why none is and how to load one. */
	public ServingModel requireServing() {
		ServingModel model = this.serving;
		if (model != null && model.engine().failure() == null) {
			return model;
		}
		String why = switch (state()) {
			case LOADING -> "the model " + loading().map(Path::toString).orElse("") + " is still loading";
			case RECOVERING -> recovery().map(r -> "the engine failed (" + r.lastError() + "); reloading " + r.model()
					+ ", attempt " + r.attempt() + " at " + r.nextAttempt())
				.orElse("the engine is recovering");
			case FAILED -> "llcuda failed: " + failure().orElse("unknown reason");
			case STOPPED -> "llcuda is stopped";
			default -> "no model is loaded; " + HOW_TO_LOAD;
		};
		throw new NoModelLoadedException(why);
	}

}
