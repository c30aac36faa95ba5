package dev.llcuda.registry;

import java.nio.file.Path;

/** Loads a model into the engine (replacing the one serving) and unloads it; the engine lifecycle. */
public interface ModelActivator {

    /** Loads {@code file} and switches serving to it; throws with the reason when loading fails. */
    void activate(Path file);

    /** Stops serving and frees the model and its device memory. */
    void unload();
}
