package dev.llcuda.actuate;

import java.nio.file.Path;
import java.io.UncheckedIOException;
import java.time.Instant;
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
import dev.llcuda.registry.ModelPull;
import dev.llcuda.registry.ModelPulls;
import dev.llcuda.registry.ModelRecord;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.registry.ScanResult;
import dev.llcuda.runtime.ModelSet;

/**
 * {@code /actuator/llcudamodels}: the model registry. GET lists the models; POST with
 * {@code {"path": "..."}} registers a file, with {@code {"scan": "FOLDER"}} scans a model
 * folder ({@code {}} scans the first); POST {@code /{id}} with {@code {"action":
 * "activate" | "verify"}}; POST {@code {"action": "unload"}} unloads the active model;
 * DELETE {@code /{id}} forgets one. With several models served, {@code "model": "NAME"}
 * beside {@code "action"} activates into or unloads that model of the set, and the others
 * serve on. POST {@code {"pull": "owner/repo", "file": "x.gguf", "revision": "main"}}
 * downloads a model from the hub into the first folder and registers it (202, progress
 * under {@code pulls} of GET); {@code {"action": "cancel", "pull": "owner/repo", "file":
 * "x.gguf"}} stops the download. A refused write answers 4xx with {@code {"error":
 * "..."}} naming the problem: 400 for a file that is not a model or not allowed, 409 for
 * a model in the wrong state, 422 for a model that failed to load. Like every endpoint it
 * is only there when the application exposes it
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
				this.pulls.pulls());
	}

	@ReadOperation
	public @Nullable ModelDescriptor model(@Selector long id) {
		return this.registry.find(id).map(ModelDescriptor::of).orElse(null);
	}

	@WriteOperation
	public WebEndpointResponse<Object> register(@Nullable String path, @Nullable String scan, @Nullable String action,
			@Nullable String pull, @Nullable String file, @Nullable String revision, @Nullable String model) {
		if (pull != null) {
			return pullOrCancel(pull, file, revision, action);
		}
		return answer(() -> {
			if ("unload".equals(action)) {
				if (model != null) {
					this.registry.unload(model, this.models.activator(model));
				}
				else {
					this.registry.unload();
				}
				return models();
			}
			if (path != null) {
				return ModelDescriptor.of(this.registry.register(Path.of(path)));
			}
			Path folder = scan != null ? Path.of(scan).toAbsolutePath().normalize() : this.registry.folders().primary();
			return ScanDescriptor.of(this.registry.scan(folder));
		});
	}

	@WriteOperation
	public WebEndpointResponse<Object> act(@Selector long id, String action, @Nullable String model) {
		return answer(() -> switch (action) {
			case "activate" -> ModelDescriptor.of(model != null
					? this.registry.activate(id, model, this.models.activator(model)) : this.registry.activate(id));
			case "verify" -> ModelDescriptor.of(this.registry.verify(id));
			default -> throw new IllegalArgumentException("unknown action '" + action + "'; use activate or verify");
		});
	}

	private WebEndpointResponse<Object> pullOrCancel(String repository, @Nullable String file,
			@Nullable String revision, @Nullable String action) {
		WebEndpointResponse<Object> answer = answer(() -> {
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

	/** The registry: its folders, its database and its models. */
	public record ModelsDescriptor(List<String> modelFolders, String database, List<ModelDescriptor> models,
			List<ModelPull.Status> pulls) implements OperationResponseBody {
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

	/** One registered model. */
	public record ModelDescriptor(long id, String name, String path, String sha256, long sizeBytes, String architecture,
			String quantization, long parameters, int contextLength, String status, @Nullable String statusMessage,
			Instant registeredAt, @Nullable Instant verifiedAt,
			@Nullable Instant activatedAt) implements OperationResponseBody {

		static ModelDescriptor of(ModelRecord model) {
			return new ModelDescriptor(model.id(), model.facts().name(), model.path().toString(), model.sha256(),
					model.sizeBytes(), model.facts().architecture(), model.facts().quantization(),
					model.facts().parameterCount(), model.facts().contextLength(), model.status().name(),
					model.statusMessage(), model.registeredAt(), model.verifiedAt(), model.activatedAt());
		}
	}

}
