package dev.llcuda.actuate;

import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import dev.llcuda.hub.HubFile;
import dev.llcuda.registry.Activation;
import dev.llcuda.registry.ActivationAdapters;
import dev.llcuda.registry.EntryKind;
import dev.llcuda.registry.ModelPull;
import dev.llcuda.registry.ModelPulls;
import dev.llcuda.registry.ModelRecord;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.registry.ScanResult;
import dev.llcuda.runtime.ModelSet;

/**
 * {@code /actuator/llcudamodels}: the model registry. GET lists the entries (GGUF models,
 * Hugging Face checkpoint directories, LoRA adapters, each with its kind) and the
 * activations with their adapters; POST with {@code {"path": "..."}} registers a file or
 * directory, with {@code {"scan": "FOLDER"}} scans a model folder ({@code {}} scans the
 * first); POST {@code /{id}} with {@code {"action": "activate" | "verify"}}, an
 * activation also with {@code "adapters": "7,8"} (registered LoRA adapters merged into
 * the weights) and {@code "lora": "9"} (loaded beside the model under their registered
 * names); POST {@code {"action": "unload"}} unloads the active model; DELETE
 * {@code /{id}} forgets one. With several models served, {@code "model": "NAME"} beside
 * {@code "action"} activates into or unloads that model of the set, and the others serve
 * on. POST {@code {"pull": "owner/repo", "file": "x.gguf", "revision": "main"}} downloads
 * a model from the hub into the first folder and registers it (202, progress under
 * {@code pulls} of GET); {@code {"action": "cancel", "pull": "owner/repo", "file":
 * "x.gguf"}} stops the download. A field the chosen write does not use ({@code "model"}
 * beside {@code "path"}) is refused, never ignored. A refused write answers 4xx with
 * {@code {"error": "..."}} naming the problem: 400 for a file that is not a model, not
 * allowed or a field not used, 409 for a model in the wrong state, 422 for a model that
 * failed to load. Like every endpoint it is only there when the application exposes it
 * ({@code management.endpoints.web.exposure.include}); even then only its reads are,
 * until the application also grants
 * {@code management.endpoint.llcudamodels.access=unrestricted} (and protects the writes).
 */
@Endpoint(id = "llcudamodels", defaultAccess = Access.READ_ONLY)
public final class ModelRegistryEndpoint {

	private final ModelRegistry registry;

	private final ModelPulls pulls;

	private final ModelSet models;

	public ModelRegistryEndpoint(ModelRegistry registry, ModelPulls pulls, ModelSet models) {
		this.registry = registry;
		this.pulls = pulls;
		this.models = models;
	}

	@ReadOperation
	public ModelsDescriptor models() {
		return new ModelsDescriptor(this.registry.folders().folders().stream().map(Path::toString).toList(),
				this.registry.databaseDescription(), this.registry.models().stream().map(ModelDescriptor::of).toList(),
				this.registry.activations().stream().map(ActivationDescriptor::of).toList(), this.pulls.pulls());
	}

	@ReadOperation
	public @Nullable ModelDescriptor model(@Selector long id) {
		return this.registry.find(id).map(ModelDescriptor::of).orElse(null);
	}

	@WriteOperation
	public WebEndpointResponse<Object> register(@Nullable String path, @Nullable String scan, @Nullable String action,
			@Nullable String pull, @Nullable String file, @Nullable String revision, @Nullable String model) {
		if (pull != null) {
			return pullOrCancel(pull, file, revision, action,
					UnusedFields.of("\"pull\"").field("path", path).field("scan", scan).field("model", model));
		}
		return answer(() -> {
			if (action != null) {
				if (!action.equals("unload")) {
					throw new IllegalArgumentException("unknown action '" + action + "' without \"pull\"; use unload "
							+ "here, activate or verify on /{id}, cancel with \"pull\"");
				}
				UnusedFields.of("\"action\": \"unload\"")
					.field("path", path)
					.field("scan", scan)
					.field("file", file)
					.field("revision", revision)
					.refuse();
				if (model != null) {
					this.registry.unload(model, this.models.activator(model));
				}
				else {
					this.registry.unload();
				}
				return models();
			}
			// registering never activates: "model" names where to activate, so it is
			// refused rather than dropped
			UnusedFields unused = UnusedFields.of(path != null ? "registering a \"path\"" : "a scan")
				.field("file", file)
				.field("revision", revision)
				.field("model", model);
			if (path != null) {
				unused.field("scan", scan).refuse();
				return ModelDescriptor.of(this.registry.register(Path.of(path)));
			}
			unused.refuse();
			Path folder = scan != null ? Path.of(scan).toAbsolutePath().normalize() : this.registry.folders().primary();
			return ScanDescriptor.of(this.registry.scan(folder));
		});
	}

	@WriteOperation
	public WebEndpointResponse<Object> act(@Selector long id, String action, @Nullable String model,
			@Nullable String adapters, @Nullable String lora) {
		return answer(() -> switch (action) {
			case "activate" -> {
				ActivationAdapters chosen = new ActivationAdapters(ids("adapters", adapters), ids("lora", lora));
				yield ModelDescriptor
					.of(model != null ? this.registry.activate(id, model, this.models.activator(model), chosen)
							: this.registry.activate(id, chosen));
			}
			case "verify" -> {
				UnusedFields.of("\"action\": \"verify\"")
					.field("model", model)
					.field("adapters", adapters)
					.field("lora", lora)
					.refuse();
				yield ModelDescriptor.of(this.registry.verify(id));
			}
			default -> throw new IllegalArgumentException("unknown action '" + action + "'; use activate or verify");
		});
	}

	/**
	 * The registered adapter ids of the field {@code field}: whole numbers separated by
	 * commas (Actuator reads a write's body as a map of strings).
	 */
	private static List<Long> ids(String field, @Nullable String value) {
		if (value == null || value.isBlank()) {
			return List.of();
		}
		List<Long> ids = new ArrayList<>();
		for (String part : value.split(",", -1)) {
			try {
				ids.add(Long.parseLong(part.strip()));
			}
			catch (NumberFormatException e) {
				throw new IllegalArgumentException("\"" + field + "\" must be ids of registered LoRA adapters "
						+ "separated by commas, e.g. \"7,8\"; got \"" + value + "\"");
			}
		}
		return ids;
	}

	private WebEndpointResponse<Object> pullOrCancel(String repository, @Nullable String file,
			@Nullable String revision, @Nullable String action, UnusedFields unused) {
		WebEndpointResponse<Object> answer = answer(() -> {
			unused.refuse();
			if (file == null) {
				throw new IllegalArgumentException("\"pull\" needs \"file\": the GGUF file of " + repository);
			}
			HubFile hubFile = new HubFile(repository, file, revision == null ? "main" : revision);
			if (action == null) {
				return this.pulls.start(hubFile);
			}
			if (!action.equals("cancel")) {
				throw new IllegalArgumentException("unknown action '" + action + "' for a pull; use cancel");
			}
			if (!this.pulls.cancel(hubFile)) {
				throw new IllegalStateException("no running pull of " + hubFile.localName());
			}
			return models();
		});
		return answer.getStatus() == WebEndpointResponse.STATUS_OK && action == null
				? new WebEndpointResponse<>(answer.getBody(), 202) : answer;
	}

	/** The operation's body, or a 4xx whose body names what was refused. */
	private static WebEndpointResponse<Object> answer(Supplier<Object> operation) {
		try {
			return new WebEndpointResponse<>(operation.get());
		}
		catch (IllegalArgumentException | UncheckedIOException e) {
			return refused(WebEndpointResponse.STATUS_BAD_REQUEST, e);
		}
		catch (IllegalStateException e) {
			return refused(409, e);
		}
		catch (RuntimeException e) {
			return refused(422, e);
		}
	}

	private static WebEndpointResponse<Object> refused(int status, RuntimeException e) {
		return new WebEndpointResponse<>(new ErrorDescriptor(String.valueOf(e.getMessage())), status);
	}

	@DeleteOperation
	public WebEndpointResponse<Object> remove(@Selector long id) {
		return answer(() -> {
			this.registry.remove(id);
			return models();
		});
	}

	/**
	 * The registry: its folders, its database, its entries, the activations it loads
	 * again after a restart, and the pulls.
	 */
	public record ModelsDescriptor(List<String> modelFolders, String database, List<ModelDescriptor> models,
			List<ActivationDescriptor> activations, List<ModelPull.Status> pulls) implements OperationResponseBody {
	}

	/**
	 * An activation: the named model of the set (null: the default model), the entry
	 * activated and its registered LoRA adapters, merged and loaded beside it.
	 */
	public record ActivationDescriptor(@Nullable String model, long id, List<Long> adapters, List<Long> lora) {

		static ActivationDescriptor of(Activation activation) {
			return new ActivationDescriptor(activation.model(), activation.modelId(), activation.adapters().merged(),
					activation.adapters().beside());
		}
	}

	/** Why a write was refused. */
	public record ErrorDescriptor(String error) implements OperationResponseBody {
	}

	/** What a scan registered, and the files it could not, each with the reason. */
	public record ScanDescriptor(List<ModelDescriptor> added,
			List<RefusedDescriptor> refused) implements OperationResponseBody {

		static ScanDescriptor of(ScanResult scan) {
			return new ScanDescriptor(scan.added().stream().map(ModelDescriptor::of).toList(),
					scan.refused()
						.stream()
						.map(file -> new RefusedDescriptor(file.file().toString(), file.reason()))
						.toList());
		}
	}

	/** A file a scan could not register. */
	public record RefusedDescriptor(String path, String reason) {
	}

	/**
	 * One registered entry; {@code kind} says what it is ({@link EntryKind}), and the
	 * name an adapter loaded beside a model is picked by is {@code loraName}.
	 */
	public record ModelDescriptor(long id, String kind, String name, @Nullable String loraName, String path,
			String sha256, long sizeBytes, String architecture, String quantization, long parameters, int contextLength,
			String status, @Nullable String statusMessage, Instant registeredAt, @Nullable Instant verifiedAt,
			@Nullable Instant activatedAt) implements OperationResponseBody {

		static ModelDescriptor of(ModelRecord model) {
			return new ModelDescriptor(model.id(), model.facts().kind().name(), model.facts().name(),
					model.facts().kind().isAdapter() ? ModelRegistry.adapterName(model) : null, model.path().toString(),
					model.sha256(), model.sizeBytes(), model.facts().architecture(), model.facts().quantization(),
					model.facts().parameterCount(), model.facts().contextLength(), model.status().name(),
					model.statusMessage(), model.registeredAt(), model.verifiedAt(), model.activatedAt());
		}
	}

}
