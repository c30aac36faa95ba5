package dev.llcuda.nativelib;

/** Element type of the KV cache (ggml type ids). */
public enum KvType {
    F16(1),
    Q8_0(8);

    private final int id;

    KvType(int id) {
        this.id = id;
    }

    int id() {
        return id;
    }
}
