package dev.llcuda.autoconfigure;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

import dev.llcuda.chat.RequestGuard;
import dev.llcuda.engine.EmbeddingEngine;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.KvType;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.gguf.GgmlType;
import dev.llcuda.gpu.DeviceRequest;
import dev.llcuda.hf.CheckpointConverter;
import dev.llcuda.hf.ConvertedModelCache;

/**
 * Configuration of llcuda under {@value #PREFIX}: the model to serve, the engine's
 * limits, the device, the native library and the model registry. Engine limits left unset
 * take the value of the detected device profile (see {@code DeviceProfile}).
 */
@ConfigurationProperties(LlcudaProperties.PREFIX)
public class LlcudaProperties {

	/** Prefix of every llcuda property. */
	public static final String PREFIX = "llcuda";

	/** Prefix of the engine limits. */
	public static final String ENGINE_PREFIX = PREFIX + ".engine";

	/** Prefix of the device selection. */
	public static final String GPU_PREFIX = PREFIX + ".gpu";

	/** Prefix of the native library overrides. */
	public static final String NATIVE_PREFIX = PREFIX + ".native";

	/** Prefix of the model registry. */
	public static final String REGISTRY_PREFIX = PREFIX + ".registry";

	/** Prefix of the default chat options. */
	public static final String CHAT_PREFIX = PREFIX + ".chat";

	private final Model model = new Model();

	private final Engine engine = new Engine();

	private final Gpu gpu = new Gpu();

	private final Native nativeLibrary = new Native();

	private final Registry registry = new Registry();

	private final Chat chat = new Chat();

	private final Embedding embedding = new Embedding();

	/**
	 * Further models served together on the same device, by the name requests pick them
	 * with (chat or embedding, from the file's architecture), each with its own limits;
	 * {@code llcuda.model} and {@code llcuda.embedding} are entries of the same set.
	 */
	private Map<String, NamedModel> models = new LinkedHashMap<>();

	/**
	 * Memory all models may take together (weights plus KV budgets), checked at start
	 * before any loads. Unset: the GPU's free memory; on the CPU no limit.
	 */
	private @Nullable DataSize memoryBudget;

	public Model getModel() {
		return this.model;
	}

	public Engine getEngine() {
		return this.engine;
	}

	public Gpu getGpu() {
		return this.gpu;
	}

	public Native getNative() {
		return this.nativeLibrary;
	}

	public Registry getRegistry() {
		return this.registry;
	}

	public Embedding getEmbedding() {
		return this.embedding;
	}

	/**
	 * @deprecated the chat defaults are {@link LlcudaChatProperties}
	 * ({@code spring.ai.llcuda.chat.*})
	 */
	@Deprecated(since = "0.1.0", forRemoval = true)
	public Chat getChat() {
		return this.chat;
	}

	public Map<String, NamedModel> getModels() {
		return this.models;
	}

	public void setModels(Map<String, NamedModel> models) {
		this.models = models;
	}

	public @Nullable DataSize getMemoryBudget() {
		return this.memoryBudget;
	}

	public void setMemoryBudget(@Nullable DataSize memoryBudget) {
		this.memoryBudget = memoryBudget;
	}

	/** The model served at start-up. */
	public static class Model {

		/**
		 * GGUF file loaded at start-up. Unset: no model is loaded until one is activated
		 * through the registry; the service starts and reports that no model is loaded.
		 */
		private @Nullable Path path;

		public @Nullable Path getPath() {
			return this.path;
		}

		public void setPath(@Nullable Path path) {
			this.path = path;
		}

		/**
		 * Positions each sequence may hold, instead of the model file's context length:
		 * less saves KV-cache memory; more is allowed only as far as the file's RoPE
		 * scaling reaches (linear, YaRN or llama3 factor times the original context).
		 * Unset: the file's.
		 */
		private @Nullable Integer contextLength;

		public @Nullable Integer getContextLength() {
			return this.contextLength;
		}

		public void setContextLength(@Nullable Integer contextLength) {
			if (contextLength != null && contextLength < 1) {
				throw new IllegalArgumentException(
						"llcuda.model.context-length must be at least 1, got " + contextLength);
			}
			this.contextLength = contextLength;
		}

		/**
		 * Weight type a Hugging Face model directory ({@code path} pointing to a folder
		 * with config.json and *.safetensors) is converted to: F32, F16, BF16, Q8_0,
		 * Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL or IQ4_XS. Unset:
		 * as stored (F32/F16/BF16). Ignored for GGUF files.
		 */
		private @Nullable GgmlType quantize;

		public @Nullable GgmlType getQuantize() {
			return this.quantize;
		}

		public void setQuantize(@Nullable GgmlType quantize) {
			if (quantize != null && !CheckpointConverter.OUTPUT_TYPES.contains(quantize)) {
				throw new IllegalArgumentException("llcuda.model.quantize = " + quantize
						+ " is not a conversion type (one of " + CheckpointConverter.OUTPUT_TYPES + ")");
			}
			this.quantize = quantize;
		}

		/**
		 * Folder where converted Hugging Face model directories are kept, one GGUF file
		 * per directory version and type, so the next start loads at once. Default:
		 * {@code ~/.cache/llcuda/models}.
		 */
		private Path cacheDir = ConvertedModelCache.defaultFolder();

		public Path getCacheDir() {
			return this.cacheDir;
		}

		public void setCacheDir(Path cacheDir) {
			this.cacheDir = cacheDir;
		}

		/**
		 * LoRA adapters (GGUF, as llama.cpp's converter writes them) loaded beside the
		 * model, by the name requests pick them with
		 * ({@code LlcudaChatOptions.adapter(name)}, OpenAI {@code "model": "base:name"}).
		 * Each must fit every model this service loads (same architecture and shapes);
		 * CPU and CUDA backends.
		 */
		private Map<String, Lora> lora = new LinkedHashMap<>();

		public Map<String, Lora> getLora() {
			return this.lora;
		}

		public void setLora(Map<String, Lora> lora) {
			this.lora = lora;
		}

		/**
		 * LoRA adapters (GGUF or PEFT directory) merged into the weights at load, in
		 * order: W + scale * alpha / r * B A, re-quantized to each weight's own type. The
		 * merged file is kept in cache-dir/merged under a name keyed by the SHA-256 of
		 * the model and adapters and the scales, so the next start loads it at once. The
		 * fastest way to serve one fine-tune (no low-rank products per token), but every
		 * request gets the adapters and changing them means a new merge; lora serves
		 * several adapters per request beside one base instead.
		 */
		private List<Lora> adapters = new ArrayList<>();

		public List<Lora> getAdapters() {
			return this.adapters;
		}

		public void setAdapters(List<Lora> adapters) {
			this.adapters = adapters;
		}

		/**
		 * How often the served file's SHA-256 is computed again and compared with its
		 * digest at load (a mismatch shows in health and the registry; serving continues
		 * from the copy loaded). Size, time and inode changes are seen without it. Unset:
		 * off. Default unit: seconds.
		 */
		@DurationUnit(ChronoUnit.SECONDS)
		private @Nullable Duration verifyInterval;

		public @Nullable Duration getVerifyInterval() {
			return this.verifyInterval;
		}

		public void setVerifyInterval(@Nullable Duration verifyInterval) {
			if (verifyInterval != null && (verifyInterval.isNegative() || verifyInterval.isZero())) {
				throw new IllegalArgumentException(
						"llcuda.model.verify-interval must be positive, got " + verifyInterval);
			}
			this.verifyInterval = verifyInterval;
		}

	}

	/**
	 * One LoRA adapter of {@code llcuda.model.lora} (served beside the model) or
	 * {@code llcuda.model.adapters} (merged into it).
	 */
	public static class Lora {

		/**
		 * The adapter: a GGUF file, or a PEFT directory ({@code adapter_config.json},
		 * {@code adapter_model.safetensors}).
		 */
		private @Nullable Path path;

		/** Factor on top of the file's alpha / rank; 1: the adapter as trained. */
		private float scale = 1f;

		public @Nullable Path getPath() {
			return this.path;
		}

		public void setPath(@Nullable Path path) {
			this.path = path;
		}

		public float getScale() {
			return this.scale;
		}

		public void setScale(float scale) {
			if (!Float.isFinite(scale)) {
				throw new IllegalArgumentException("the scale of a LoRA adapter must be finite, got " + scale);
			}
			this.scale = scale;
		}

	}

	/**
	 * Limits of the continuous-batching engine. Unset limits come from the device
	 * profile.
	 */
	public static class Engine {

		/**
		 * Sequences decoded together in one step. Default: device profile (T4: 32, CPU:
		 * 4).
		 */
		private @Nullable Integer maxRunningSequences;

		/**
		 * Token budget of one step (decode tokens plus prefill chunks). Default: device
		 * profile (T4: 2048, CPU: 256).
		 */
		private @Nullable Integer maxTokensPerStep;

		/** Requests waiting for admission before new ones are refused as overloaded. */
		private int maxQueued = 64;

		/** Token positions per KV-cache block. */
		private int kvBlockSize = 16;

		/**
		 * Element type of the KV cache: F16, or Q8_0 (CUDA only: about half the memory,
		 * so about twice the cached tokens, at ~0.4% rounding of K and V).
		 */
		private KvType kvType = KvType.F16;

		/**
		 * KV-cache blocks to allocate. Takes precedence over kv-memory. Default: sized
		 * from kv-memory.
		 */
		private @Nullable Integer kvBlocks;

		/**
		 * Memory for the KV cache (for example 6GB). Default: device profile (T4: 6GB,
		 * CPU: 512MB), never more than the device's free memory after the weights.
		 */
		private @Nullable DataSize kvMemory;

		/** CPU threads of the CPU backend; 0 uses every core. */
		private int cpuThreads;

		/**
		 * Longest time one request may take from submission to its last token; the
		 * request is cancelled in the engine when it runs out. Default unit: seconds.
		 */
		@DurationUnit(ChronoUnit.SECONDS)
		private Duration requestTimeout = RequestGuard.DEFAULT_TIME_LIMIT;

		/**
		 * How long a graceful stop lets requests in flight finish before they are
		 * cancelled. Default unit: seconds.
		 */
		@DurationUnit(ChronoUnit.SECONDS)
		private Duration shutdownTimeout = Duration.ofSeconds(30);

		public @Nullable Integer getMaxRunningSequences() {
			return this.maxRunningSequences;
		}

		public void setMaxRunningSequences(@Nullable Integer maxRunningSequences) {
			this.maxRunningSequences = maxRunningSequences;
		}

		public @Nullable Integer getMaxTokensPerStep() {
			return this.maxTokensPerStep;
		}

		public void setMaxTokensPerStep(@Nullable Integer maxTokensPerStep) {
			this.maxTokensPerStep = maxTokensPerStep;
		}

		public int getMaxQueued() {
			return this.maxQueued;
		}

		public void setMaxQueued(int maxQueued) {
			this.maxQueued = maxQueued;
		}

		public int getKvBlockSize() {
			return this.kvBlockSize;
		}

		public void setKvBlockSize(int kvBlockSize) {
			this.kvBlockSize = kvBlockSize;
		}

		public KvType getKvType() {
			return this.kvType;
		}

		public void setKvType(KvType kvType) {
			this.kvType = kvType;
		}

		public @Nullable Integer getKvBlocks() {
			return this.kvBlocks;
		}

		public void setKvBlocks(@Nullable Integer kvBlocks) {
			this.kvBlocks = kvBlocks;
		}

		public @Nullable DataSize getKvMemory() {
			return this.kvMemory;
		}

		public void setKvMemory(@Nullable DataSize kvMemory) {
			this.kvMemory = kvMemory;
		}

		public int getCpuThreads() {
			return this.cpuThreads;
		}

		public void setCpuThreads(int cpuThreads) {
			this.cpuThreads = cpuThreads;
		}

		public Duration getRequestTimeout() {
			return this.requestTimeout;
		}

		public void setRequestTimeout(Duration requestTimeout) {
			this.requestTimeout = requestTimeout;
		}

		public Duration getShutdownTimeout() {
			return this.shutdownTimeout;
		}

		public void setShutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
		}

	}

	/** Which device runs the model. */
	public static class Gpu {

		/** Use a CUDA device when a supported one (sm_75 or newer) is present. */
		private boolean enabled = true;

		/** CUDA ordinal of the device to use (default 0). */
		private @Nullable Integer device;

		/**
		 * CUDA ordinals of several devices of this host to split one chat model over
		 * (instead of device). Embedding models run on the first.
		 */
		private List<Integer> devices = new ArrayList<>();

		/**
		 * Fail start-up, with the reason, instead of falling back to the CPU when no
		 * supported GPU is usable.
		 */
		private boolean required;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Integer getDevice() {
			return this.device;
		}

		public void setDevice(@Nullable Integer device) {
			this.device = device;
		}

		public List<Integer> getDevices() {
			return this.devices;
		}

		public void setDevices(List<Integer> devices) {
			this.devices = devices;
		}

		/**
		 * The devices asked for: devices when set, else device (0 when neither is).
		 * @throws IllegalArgumentException when both are set
		 */
		public DeviceRequest request() {
			if (this.devices.isEmpty()) {
				return DeviceRequest.of(this.enabled, this.device != null ? this.device : 0, this.required);
			}
			if (this.device != null) {
				throw new IllegalArgumentException("llcuda.gpu.device (" + this.device + ") and llcuda.gpu.devices "
						+ this.devices + " are both set: set device for one GPU or devices for several");
			}
			return new DeviceRequest(this.enabled, this.devices, this.required);
		}

		public boolean isRequired() {
			return this.required;
		}

		public void setRequired(boolean required) {
			this.required = required;
		}

	}

	/**
	 * Where the native library comes from. By default the copy bundled in the
	 * llcuda-native jar is extracted to the cache folder and checked against its bundled
	 * SHA-256.
	 */
	public static class Native {

		/** A libllcuda.so of your own build, used instead of the bundled one. */
		private @Nullable Path libraryPath;

		/** Expected SHA-256 (hex) of library-path; required with it. */
		private @Nullable String librarySha256;

		/**
		 * URL to download libllcuda.so from (an internal mirror), instead of the bundled
		 * one.
		 */
		private @Nullable URI downloadUrl;

		/** Expected SHA-256 (hex) of the file at download-url; required with it. */
		private @Nullable String downloadSha256;

		/** Folder the library is extracted or downloaded to. Default: ~/.cache/llcuda. */
		private @Nullable Path cacheDir;

		public @Nullable Path getLibraryPath() {
			return this.libraryPath;
		}

		public void setLibraryPath(@Nullable Path libraryPath) {
			this.libraryPath = libraryPath;
		}

		public @Nullable String getLibrarySha256() {
			return this.librarySha256;
		}

		public void setLibrarySha256(@Nullable String librarySha256) {
			this.librarySha256 = librarySha256;
		}

		public @Nullable URI getDownloadUrl() {
			return this.downloadUrl;
		}

		public void setDownloadUrl(@Nullable URI downloadUrl) {
			this.downloadUrl = downloadUrl;
		}

		public @Nullable String getDownloadSha256() {
			return this.downloadSha256;
		}

		public void setDownloadSha256(@Nullable String downloadSha256) {
			this.downloadSha256 = downloadSha256;
		}

		public @Nullable Path getCacheDir() {
			return this.cacheDir;
		}

		public void setCacheDir(@Nullable Path cacheDir) {
			this.cacheDir = cacheDir;
		}

	}

	/** The model registry: which GGUF files are known, checked and active. */
	public static class Registry {

		/** Keep a registry of models in a database. */
		private boolean enabled = true;

		/**
		 * Folders models may be registered from; any other path is refused. The first one
		 * is where scans look by default.
		 */
		private List<Path> modelFolders = new ArrayList<>(List.of(Path.of("models")));

		/**
		 * H2 database file (without the .mv.db suffix) of the registry's own store, used
		 * unless {@code datasource} names one of the application's.
		 */
		private Path databaseFile = Path.of(System.getProperty("user.home"), ".llcuda", "registry");

		/** Scan the first model folder at start-up and register new GGUF files. */
		private boolean scanOnStartup = true;

		/**
		 * The application's DataSource to keep the registry in: {@code application} (its
		 * only DataSource) or a DataSource bean's name. Unset: the registry's own H2
		 * file.
		 */
		private @Nullable String datasource;

		/**
		 * How long an activation waits for another one (of this or another replica
		 * sharing the registry's database) to finish.
		 */
		private Duration activationLockTimeout = Duration.ofMinutes(10);

		/**
		 * How often a running service looks for a model another replica sharing the
		 * registry's database activated, and loads it; 0: never (it still loads the
		 * active model at start).
		 */
		private Duration followInterval = Duration.ofSeconds(10);

		/**
		 * JDBC URL of a database server holding the registry's own store instead of the
		 * H2 file, e.g. one PostgreSQL database shared by service replicas (its driver
		 * must be on the classpath).
		 */
		private @Nullable String url;

		/** User name for {@code url}. */
		private @Nullable String username;

		/** Password for {@code url}. */
		private @Nullable String password;

		/** Base URL of the Hugging Face–compatible hub models are pulled from. */
		private URI hubUrl = URI.create("https://huggingface.co");

		/**
		 * Token sent to the hub (as a Bearer token) for private or gated repositories.
		 */
		private @Nullable String hubToken;

		/**
		 * How long a pull waits for the hub's answer, and then for each next byte, before
		 * the attempt counts as broken off (three attempts, resuming, then the pull fails
		 * naming the timeout).
		 */
		@DurationUnit(ChronoUnit.SECONDS)
		private Duration pullReadTimeout = Duration.ofSeconds(30);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<Path> getModelFolders() {
			return this.modelFolders;
		}

		public void setModelFolders(List<Path> modelFolders) {
			this.modelFolders = modelFolders;
		}

		public Path getDatabaseFile() {
			return this.databaseFile;
		}

		public void setDatabaseFile(Path databaseFile) {
			this.databaseFile = databaseFile;
		}

		public boolean isScanOnStartup() {
			return this.scanOnStartup;
		}

		public void setScanOnStartup(boolean scanOnStartup) {
			this.scanOnStartup = scanOnStartup;
		}

		public @Nullable String getDatasource() {
			return this.datasource;
		}

		public void setDatasource(@Nullable String datasource) {
			this.datasource = datasource;
		}

		public Duration getActivationLockTimeout() {
			return this.activationLockTimeout;
		}

		public void setActivationLockTimeout(Duration activationLockTimeout) {
			this.activationLockTimeout = activationLockTimeout;
		}

		public Duration getFollowInterval() {
			return this.followInterval;
		}

		public void setFollowInterval(Duration followInterval) {
			this.followInterval = followInterval;
		}

		public @Nullable String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public URI getHubUrl() {
			return this.hubUrl;
		}

		public void setHubUrl(URI hubUrl) {
			this.hubUrl = hubUrl;
		}

		public @Nullable String getHubToken() {
			return this.hubToken;
		}

		public void setHubToken(@Nullable String hubToken) {
			this.hubToken = hubToken;
		}

		public Duration getPullReadTimeout() {
			return this.pullReadTimeout;
		}

		public void setPullReadTimeout(Duration pullReadTimeout) {
			this.pullReadTimeout = pullReadTimeout;
		}

	}

	/**
	 * Chat defaults under the deprecated {@code llcuda.chat.options.*}, which still set
	 * {@link LlcudaChatProperties} for this release.
	 */
	public static class Chat {

		private final Options options = new Options();

		public Options getOptions() {
			return this.options;
		}

	}

	/** Default sampling options of chat requests. */
	public static class Options {

		/** Sampling temperature; 0 picks the most likely token (greedy). */
		private double temperature = SamplingParams.DEFAULT_TEMPERATURE;

		/** Sample among the k most likely tokens; 0 turns it off. */
		private int topK = SamplingParams.DEFAULT_TOP_K;

		/**
		 * Sample among the most likely tokens whose probabilities sum to p; 1 turns it
		 * off.
		 */
		private double topP = SamplingParams.DEFAULT_TOP_P;

		/**
		 * Drop tokens less likely than min-p times the most likely one; 0 turns it off.
		 */
		private double minP = SamplingParams.DEFAULT_MIN_P;

		/** Most tokens generated per request. */
		private int maxTokens = GenerationRequest.DEFAULT_MAX_TOKENS;

		/** Texts that end generation when produced (not included in the output). */
		private List<String> stopSequences = new ArrayList<>();

		/**
		 * Subtracted from a token's logit once per earlier occurrence; 0 turns it off.
		 */
		private double frequencyPenalty = SamplingParams.DEFAULT_FREQUENCY_PENALTY;

		/** Subtracted from a token's logit if it occurred before; 0 turns it off. */
		private double presencePenalty = SamplingParams.DEFAULT_PRESENCE_PENALTY;

		/**
		 * Divides (or multiplies, if negative) logits of tokens seen before; 1 turns it
		 * off.
		 */
		private double repetitionPenalty = SamplingParams.DEFAULT_REPETITION_PENALTY;

		/** Seed of the random draws; unset draws a new seed per request. */
		private @Nullable Long seed;

		/**
		 * The chat model requests get when they name none: a name of
		 * {@code llcuda.models}, or the {@code general.name} of the file of
		 * {@code llcuda.model.path}. Unset: the model of {@code llcuda.model.path}, else
		 * the first chat model of {@code llcuda.models}.
		 */
		private @Nullable String model;

		public @Nullable String getModel() {
			return this.model;
		}

		public void setModel(@Nullable String model) {
			this.model = model;
		}

		public double getTemperature() {
			return this.temperature;
		}

		public void setTemperature(double temperature) {
			this.temperature = temperature;
		}

		public int getTopK() {
			return this.topK;
		}

		public void setTopK(int topK) {
			this.topK = topK;
		}

		public double getTopP() {
			return this.topP;
		}

		public void setTopP(double topP) {
			this.topP = topP;
		}

		public double getMinP() {
			return this.minP;
		}

		public void setMinP(double minP) {
			this.minP = minP;
		}

		public int getMaxTokens() {
			return this.maxTokens;
		}

		public void setMaxTokens(int maxTokens) {
			this.maxTokens = maxTokens;
		}

		public List<String> getStopSequences() {
			return this.stopSequences;
		}

		public void setStopSequences(List<String> stopSequences) {
			this.stopSequences = stopSequences;
		}

		public double getFrequencyPenalty() {
			return this.frequencyPenalty;
		}

		public void setFrequencyPenalty(double frequencyPenalty) {
			this.frequencyPenalty = frequencyPenalty;
		}

		public double getPresencePenalty() {
			return this.presencePenalty;
		}

		public void setPresencePenalty(double presencePenalty) {
			this.presencePenalty = presencePenalty;
		}

		public double getRepetitionPenalty() {
			return this.repetitionPenalty;
		}

		public void setRepetitionPenalty(double repetitionPenalty) {
			this.repetitionPenalty = repetitionPenalty;
		}

		public @Nullable Long getSeed() {
			return this.seed;
		}

		public void setSeed(@Nullable Long seed) {
			this.seed = seed;
		}

	}

	/** The embedding model (bert GGUF) served beside the chat model, on the CPU. */
	public static class Embedding {

		/** The embedding model file; unset: no embedding model. */
		private @Nullable Path path;

		/**
		 * Most tokens one native call embeds; many texts are packed into one call up to
		 * this budget.
		 */
		private int maxBatchTokens = 8192;

		/**
		 * Texts longer than the model's context: refuse the request, or truncate them to
		 * the context.
		 */
		private EmbeddingEngine.Overflow overflow = EmbeddingEngine.Overflow.REFUSE;

		/**
		 * CPU threads of the embedding model when llcuda runs on the CPU; 0 uses every
		 * core.
		 */
		private int cpuThreads;

		public @Nullable Path getPath() {
			return this.path;
		}

		public void setPath(@Nullable Path path) {
			this.path = path;
		}

		public int getMaxBatchTokens() {
			return this.maxBatchTokens;
		}

		public void setMaxBatchTokens(int maxBatchTokens) {
			this.maxBatchTokens = maxBatchTokens;
		}

		public EmbeddingEngine.Overflow getOverflow() {
			return this.overflow;
		}

		public void setOverflow(EmbeddingEngine.Overflow overflow) {
			this.overflow = overflow;
		}

		public int getCpuThreads() {
			return this.cpuThreads;
		}

		public void setCpuThreads(int cpuThreads) {
			this.cpuThreads = cpuThreads;
		}

	}

	/**
	 * One model of {@code llcuda.models}: the settings of {@code llcuda.model} for this
	 * model, and its own engine limits (unset: those of {@code llcuda.engine}) or, for an
	 * embedding model, its own batch and overflow settings (unset: those of
	 * {@code llcuda.embedding}).
	 */
	public static class NamedModel extends Model {

		/** Memory for this model's KV cache; unset: llcuda.engine.kv-memory. */
		private @Nullable DataSize kvMemory;

		/** KV-cache blocks of this model; unset: llcuda.engine.kv-blocks. */
		private @Nullable Integer kvBlocks;

		/**
		 * Sequences this model decodes together; unset:
		 * llcuda.engine.max-running-sequences.
		 */
		private @Nullable Integer maxRunningSequences;

		/**
		 * Token budget of one step of this model; unset:
		 * llcuda.engine.max-tokens-per-step.
		 */
		private @Nullable Integer maxTokensPerStep;

		/**
		 * Requests waiting for this model before new ones are refused; unset:
		 * llcuda.engine.max-queued.
		 */
		private @Nullable Integer maxQueued;

		/**
		 * CPU backend threads of this model (0: every core); unset:
		 * llcuda.engine.cpu-threads.
		 */
		private @Nullable Integer cpuThreads;

		/**
		 * An embedding model's most tokens per native call; unset:
		 * llcuda.embedding.max-batch-tokens.
		 */
		private @Nullable Integer maxBatchTokens;

		/**
		 * An embedding model's texts over its context; unset: llcuda.embedding.overflow.
		 */
		private EmbeddingEngine.@Nullable Overflow overflow;

		public @Nullable DataSize getKvMemory() {
			return this.kvMemory;
		}

		public void setKvMemory(@Nullable DataSize kvMemory) {
			this.kvMemory = kvMemory;
		}

		public @Nullable Integer getKvBlocks() {
			return this.kvBlocks;
		}

		public void setKvBlocks(@Nullable Integer kvBlocks) {
			this.kvBlocks = kvBlocks;
		}

		public @Nullable Integer getMaxRunningSequences() {
			return this.maxRunningSequences;
		}

		public void setMaxRunningSequences(@Nullable Integer maxRunningSequences) {
			this.maxRunningSequences = maxRunningSequences;
		}

		public @Nullable Integer getMaxTokensPerStep() {
			return this.maxTokensPerStep;
		}

		public void setMaxTokensPerStep(@Nullable Integer maxTokensPerStep) {
			this.maxTokensPerStep = maxTokensPerStep;
		}

		public @Nullable Integer getMaxQueued() {
			return this.maxQueued;
		}

		public void setMaxQueued(@Nullable Integer maxQueued) {
			this.maxQueued = maxQueued;
		}

		public @Nullable Integer getCpuThreads() {
			return this.cpuThreads;
		}

		public void setCpuThreads(@Nullable Integer cpuThreads) {
			this.cpuThreads = cpuThreads;
		}

		public @Nullable Integer getMaxBatchTokens() {
			return this.maxBatchTokens;
		}

		public void setMaxBatchTokens(@Nullable Integer maxBatchTokens) {
			this.maxBatchTokens = maxBatchTokens;
		}

		public EmbeddingEngine.@Nullable Overflow getOverflow() {
			return this.overflow;
		}

		public void setOverflow(EmbeddingEngine.@Nullable Overflow overflow) {
			this.overflow = overflow;
		}

	}

}
