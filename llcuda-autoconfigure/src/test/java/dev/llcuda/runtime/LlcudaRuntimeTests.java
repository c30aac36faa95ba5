package dev.llcuda.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import dev.llcuda.actuate.LlcudaHealthIndicator;

import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.FileIdentity;
import dev.llcuda.engine.LoadListener;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.GenerationResult;
import dev.llcuda.engine.KvType;
import dev.llcuda.gpu.DeviceSelection;
import dev.llcuda.hf.ConvertedModelCache;
import dev.llcuda.nativelib.NativeLibrary;
import dev.llcuda.nativelib.NativeLibraryOptions;
import dev.llcuda.nativelib.Sha256;

/**
 * Activation is transactional and reports its progress, and a served file changed on disk
 * neither stops the process nor changes what the model generates.
 */
class LlcudaRuntimeTests {

	@TempDir
	Path temp;

	private final List<String> events = new ArrayList<>();

	private LlcudaRuntime runtime;

	@AfterEach
	void stop() {
		if (this.runtime != null) {
			this.runtime.stop();
		}
	}

	@Test
	void aModelThatFailsToLoadBesideTheServingOneLeavesItServing() throws IOException {
		Path good = copyOfMicroLlama("good.gguf");
		Path broken = copyOfMicroLlama("broken.gguf");
		this.runtime = runtime(scripted(true));
		this.runtime.activate(good);
		assertThatThrownBy(() -> this.runtime.activate(broken)).hasMessageContaining("broken.gguf refused");
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
		assertThat(this.runtime.requireServing().path()).isEqualTo(good);
		assertThat(this.runtime.failure()).isEmpty();
		assertThat(this.events).containsExactly("load good.gguf", "load broken.gguf");
	}

	@Test
	void aModelThatDoesNotFitBesideIsLoadedAfterReleasingTheOldOneWhichIsRestoredOnFailure() throws IOException {
		Path good = copyOfMicroLlama("good.gguf");
		Path broken = copyOfMicroLlama("broken.gguf");
		this.runtime = runtime(scripted(false));
		this.runtime.activate(good);
		assertThatThrownBy(() -> this.runtime.activate(broken)).hasMessageContaining("broken.gguf refused");
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
		assertThat(this.runtime.requireServing().path()).isEqualTo(good);
		assertThat(this.events).containsExactly("load good.gguf", "load broken.gguf", "load good.gguf");
	}

	@Test
	void aFileTheNativeLibraryRefusesLeavesTheOldModelServing() throws Exception {
		Path good = copyOfMicroLlama("good.gguf");
		Path huge = copyOfMicroLlama("huge-context.gguf");
		setUint32(huge, "llama.context_length", Integer.MAX_VALUE);
		this.runtime = runtime(nativeCpuLoader());
		this.runtime.activate(good);
		String before = generate();
		assertThatThrownBy(() -> this.runtime.activate(huge)).hasMessageContaining("huge-context.gguf")
			.hasMessageContaining("n_ctx = 2147483647");
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
		assertThat(this.runtime.requireServing().path()).isEqualTo(good);
		assertThat(generate()).isEqualTo(before);
	}

	@Test
	void aServedFileTruncatedOrRewrittenKeepsServingTheSameAnswersAndIsReported() throws Exception {
		Path served = copyOfMicroLlama("served.gguf");
		this.runtime = runtime(nativeCpuLoader());
		this.runtime.activate(served);
		String before = generate();
		assertThat(this.runtime.servedFileChange()).isEmpty();

		try (RandomAccessFile file = new RandomAccessFile(served.toFile(), "rw")) {
			file.setLength(4096);
		}
		assertThat(generate()).isEqualTo(before);
		assertThat(this.runtime.servedFileChange()).get().asString().contains("-> 4096 bytes");
		Health health = healthOf(this.runtime);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails().get("model")).asString()
			.contains("fileChanged=")
			.contains("-> 4096 bytes")
			.contains("serving continues from the copy loaded");

		Files.write(served, new byte[1 << 20]);
		assertThat(generate()).isEqualTo(before);
		assertThat(this.runtime.servedFileChange()).get().asString().contains("-> 1048576 bytes");
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
	}

	@Test
	void aServedFileEditedInPlaceKeepingSizeTimeAndInodeIsFoundByThePeriodicDigest() throws Exception {
		Path served = copyOfMicroLlama("served.gguf");
		this.runtime = runtime(nativeCpuLoader());
		this.runtime.verifyDigestEvery(Duration.ofMillis(50));
		this.runtime.activate(served);
		String before = generate();
		Thread.sleep(ServedFileDigest.NEW_MODEL_POLL.toMillis() * 3); // the digest at
																		// load is taken
		assertThat(this.runtime.servedFileChange()).isEmpty();

		FileIdentity loaded = FileIdentity.of(served);
		long offset = Files.size(served) - 100; // inside the last tensor's data
		byte original = flipByte(served, offset);
		Files.setLastModifiedTime(served, loaded.modified());
		assertThat(loaded.changeOf(served)).as("size, time and inode alone").isEmpty();
		assertThat(awaitFileChange()).get().asString().startsWith("SHA-256 ");
		assertThat(generate()).isEqualTo(before);
		Health health = healthOf(this.runtime);
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails().get("model")).asString()
			.contains("fileChanged=SHA-256 ")
			.contains("serving continues from the copy loaded");

		try (RandomAccessFile file = new RandomAccessFile(served.toFile(), "rw")) {
			file.seek(offset);
			file.write(original);
		}
		Files.setLastModifiedTime(served, loaded.modified());
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (this.runtime.servedFileChange().isPresent() && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(this.runtime.servedFileChange()).as("the file restored").isEmpty();
	}

	/** Inverts the byte at {@code offset} in place; returns what it was. */
	private static byte flipByte(Path file, long offset) throws IOException {
		try (RandomAccessFile access = new RandomAccessFile(file.toFile(), "rw")) {
			access.seek(offset);
			byte original = access.readByte();
			access.seek(offset);
			access.write(~original);
			return original;
		}
	}

	private Optional<String> awaitFileChange() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (this.runtime.servedFileChange().isEmpty() && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		return this.runtime.servedFileChange();
	}

	@Test
	void theNativeLoaderReportsEachPhaseAndTheWeightBytesCopiedUpToTheirTotal() throws IOException {
		Path model = copyOfMicroLlama("progress.gguf");
		List<String> phases = new ArrayList<>();
		List<long[]> copied = new ArrayList<>();
		ServingModel served = nativeCpuLoader().load(model, (phase, bytes, totalBytes) -> {
			if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase.name())) {
				phases.add(phase.name());
			}
			if (phase == LoadListener.Phase.COPYING_WEIGHTS && totalBytes >= 0) {
				copied.add(new long[] { bytes, totalBytes });
			}
		});
		try {
			assertThat(phases).containsExactly("READING_FILE", "COPYING_WEIGHTS", "STARTING_ENGINE");
			assertThat(copied).isNotEmpty();
			for (int i = 1; i < copied.size(); i++) {
				assertThat(copied.get(i)[0]).isGreaterThanOrEqualTo(copied.get(i - 1)[0]);
			}
			long[] last = copied.get(copied.size() - 1);
			assertThat(last[0]).isEqualTo(last[1]).isEqualTo(served.weightBytes());
		}
		finally {
			served.shutdown(Duration.ZERO);
		}
	}

	@Test
	void whileAModelLoadsItsPhaseAndBytesAreInTheRuntimeAndHealthAndGoneOnceItServes() throws Exception {
		Path model = copyOfMicroLlama("slow.gguf");
		CountDownLatch reported = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		this.runtime = runtime((file, progress) -> {
			progress.progress(LoadListener.Phase.COPYING_WEIGHTS, 300, 1200);
			reported.countDown();
			try {
				release.await();
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			return TestServing.serve(file, Integer.MAX_VALUE, 0, EngineListener.NONE);
		});
		Thread activation = new Thread(() -> this.runtime.activate(model));
		activation.start();
		assertThat(reported.await(10, TimeUnit.SECONDS)).isTrue();
		LoadProgress progress = this.runtime.loadProgress().orElseThrow();
		assertThat(progress.file()).isEqualTo(model);
		assertThat(progress.phase()).isEqualTo(LoadListener.Phase.COPYING_WEIGHTS);
		assertThat(progress.bytes()).isEqualTo(300);
		assertThat(progress.totalBytes()).isEqualTo(1200);
		assertThat(progress.percent()).isEqualTo(25.0);
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.LOADING);
		Health health = healthOf(this.runtime);
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails().get("loading")).asString()
			.contains("phase=COPYING_WEIGHTS")
			.contains("bytes=300")
			.contains("totalBytes=1200")
			.contains("percent=25.0");
		release.countDown();
		activation.join(10_000);
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.READY);
		assertThat(this.runtime.loadProgress()).isEmpty();
		assertThat(healthOf(this.runtime).getDetails()).doesNotContainKey("loading");
	}

	@Test
	void checksummingAFileReportsTheBytesHashedAsALoadPhaseAndTheDigest() throws Exception {
		Path file = this.temp.resolve("large.gguf");
		long size = 1L << 30;
		try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
			sparse.setLength(size);
		}
		this.runtime = runtime(scripted(true));
		List<LoadProgress> seen = new CopyOnWriteArrayList<>();
		Thread watcher = new Thread(() -> {
			while (!Thread.currentThread().isInterrupted()) {
				this.runtime.loadProgress().ifPresent(seen::add);
				Thread.onSpinWait();
			}
		});
		watcher.start();
		String digest;
		try {
			digest = this.runtime.sha256(file);
		}
		finally {
			watcher.interrupt();
			watcher.join(10_000);
		}
		assertThat(digest).isEqualTo(Sha256.of(file));
		assertThat(seen).isNotEmpty().allSatisfy(progress -> {
			assertThat(progress.file()).isEqualTo(file);
			assertThat(progress.phase()).isEqualTo(LoadListener.Phase.CHECKSUMMING);
			assertThat(progress.bytes()).isBetween(0L, size);
		});
		assertThat(seen).anySatisfy(progress -> {
			assertThat(progress.totalBytes()).isEqualTo(size);
			assertThat(progress.bytes()).isPositive();
			assertThat(progress.percent()).isBetween(0.0, 100.0);
		});
		assertThat(this.runtime.loadProgress()).isEmpty();
		assertThat(this.runtime.state()).isEqualTo(RuntimeState.NO_MODEL);
	}

	private static Health healthOf(LlcudaRuntime runtime) {
		DeviceSelection cpu = DeviceSelection.cpu("test");
		return new LlcudaHealthIndicator(ModelSet.of(runtime), NativeRuntime.load(NativeLibraryOptions.defaults()),
				new GpuMonitor(Optional.empty(), cpu, Clock.systemUTC()))
			.health(true);
	}

	private LlcudaRuntime runtime(ModelLoader loader) {
		LlcudaRuntime created = new LlcudaRuntime(loader, null, null, Duration.ofSeconds(5));
		created.start();
		return created;
	}

	/** Serves the micro model with the script; files named broken* are refused. */
	private ModelLoader scripted(boolean fitsBeside) {
		return new ModelLoader() {
			@Override
			public ServingModel load(Path gguf, LoadListener progress) {
				LlcudaRuntimeTests.this.events.add("load " + gguf.getFileName());
				if (gguf.getFileName().toString().startsWith("broken")) {
					throw new IllegalStateException(gguf.getFileName() + " refused");
				}
				return TestServing.serve(gguf, Integer.MAX_VALUE, 0, EngineListener.NONE);
			}

			@Override
			public boolean fitsBesideCurrent(Path gguf) {
				return fitsBeside;
			}
		};
	}

	private static ModelLoader nativeCpuLoader() {
		NativeLibrary library = NativeLibrary.load(NativeLibraryOptions.defaults());
		DeviceSelection cpu = DeviceSelection.cpu("test");
		EngineLimits limits = new EngineLimits(2, 64, 4, 16, KvType.F16, 16, 1 << 20, 2);
		return new NativeModelLoader(library, cpu, limits, EngineListener.NONE, 0, ConvertedModelCache.defaultFolder(),
				Optional.empty(), List.of(), List.of());
	}

	private String generate() throws Exception {
		ServingModel model = this.runtime.requireServing();
		int[] prompt = model.tokenizer().encode("Once upon a time", true, false);
		GenerationResult result = model.engine()
			.submit(GenerationRequest.greedy(prompt, 12))
			.result()
			.get(60, TimeUnit.SECONDS);
		assertThat(result.error()).isEmpty();
		return result.text();
	}

	private Path copyOfMicroLlama(String name) throws IOException {
		return Files.copy(TestServing.MICRO_LLAMA, this.temp.resolve(name));
	}

	/** Overwrites the UINT32 value of {@code key} in the GGUF header. */
	private static void setUint32(Path gguf, String key, int value) throws IOException {
		byte[] bytes = Files.readAllBytes(gguf);
		byte[] name = key.getBytes(StandardCharsets.UTF_8);
		int at = indexOf(bytes, name);
		assertThat(at).as(key + " in " + gguf).isPositive();
		int type = at + name.length;
		assertThat(bytes[type]).as("type of " + key + " is UINT32 (4)").isEqualTo((byte) 4);
		for (int i = 0; i < 4; i++) {
			bytes[type + 4 + i] = (byte) (value >>> (8 * i));
		}
		Files.write(gguf, bytes);
	}

	private static int indexOf(byte[] haystack, byte[] needle) {
		outer: for (int i = 0; i + needle.length <= haystack.length; i++) {
			for (int j = 0; j < needle.length; j++) {
				if (haystack[i + j] != needle[j]) {
					continue outer;
				}
			}
			return i;
		}
		return -1;
	}

}
