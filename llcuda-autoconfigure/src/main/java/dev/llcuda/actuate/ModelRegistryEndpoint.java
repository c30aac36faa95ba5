package dev.llcuda.actuate;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import dev.llcuda.registry.ModelRecord;
import dev.llcuda.registry.ModelRegistry;

/**
 * {@code /actuator/llcudamodels}: the model registry. GET lists the models; POST with
 * {@code {"path": "..."}} registers a file, with {@code {"scan": "FOLDER"}} scans a model folder
 * ({@code {}} scans the first); POST {@code /{id}} with {@code {"action": "activate" | "verify"}};
 * POST {@code {"action": "unload"}} unloads the active model; DELETE {@code /{id}} forgets one.
 * Like every endpoint it is only there when the application exposes it
 * ({@code management.endpoints.web.exposure.include}); even then only its reads are, until the
 * application also grants {@code management.endpoint.llcudamodels.access=unrestricted} (and
 * protects the writes).
 */
@Endpoint(id = "llcudamodels", defaultAccess = Access.READ_ONLY)
public final class ModelRegistryEndpoint {

    private final ModelRegistry registry;

    public ModelRegistryEndpoint(ModelRegistry registry) {
        this.registry = registry;
    }

    @ReadOperation
    public ModelsDescriptor models() {
        return new ModelsDescriptor(this.registry.folders().folders().stream().map(Path::toString).toList(),
                this.registry.databaseDescription(), this.registry.models().stream().map(ModelDescriptor::of).toList());
    }

    @ReadOperation
    public @Nullable ModelDescriptor model(@Selector long id) {
        return this.registry.find(id).map(ModelDescriptor::of).orElse(null);
    }

    @WriteOperation
    public Object register(@Nullable String path, @Nullable String scan, @Nullable String action) {
        if ("unload".equals(action)) {
            this.registry.unload();
            return models();
        }
        if (path != null) {
            return ModelDescriptor.of(this.registry.register(Path.of(path)));
        }
        Path folder = scan != null ? Path.of(scan).toAbsolutePath().normalize() : this.registry.folders().primary();
        return this.registry.scan(folder).stream().map(ModelDescriptor::of).toList();
    }

    @WriteOperation
    public ModelDescriptor act(@Selector long id, String action) {
        return switch (action) {
            case "activate" -> ModelDescriptor.of(this.registry.activate(id));
            case "verify" -> ModelDescriptor.of(this.registry.verify(id));
            default -> throw new IllegalArgumentException("unknown action '" + action + "'; use activate or verify");
        };
    }

    @DeleteOperation
    public void remove(@Selector long id) {
        this.registry.remove(id);
    }

    /** The registry: its folders, its database and its models. */
    public record ModelsDescriptor(List<String> modelFolders, String database, List<ModelDescriptor> models)
            implements OperationResponseBody {
    }

    /** One registered model. */
    public record ModelDescriptor(long id, String name, String path, String sha256, long sizeBytes,
            String architecture, String quantization, long parameters, int contextLength, String status,
            @Nullable String statusMessage, Instant registeredAt, @Nullable Instant verifiedAt,
            @Nullable Instant activatedAt) implements OperationResponseBody {

        static ModelDescriptor of(ModelRecord model) {
            return new ModelDescriptor(model.id(), model.facts().name(), model.path().toString(), model.sha256(),
                    model.sizeBytes(), model.facts().architecture(), model.facts().quantization(),
                    model.facts().parameterCount(), model.facts().contextLength(), model.status().name(),
                    model.statusMessage(), model.registeredAt(), model.verifiedAt(), model.activatedAt());
        }
    }
}
