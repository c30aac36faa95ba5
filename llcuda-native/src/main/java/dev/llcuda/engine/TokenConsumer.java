package dev.llcuda.engine;

/** Receives a sequence's sampled tokens on the engine thread (text, stop strings, streaming). */
interface TokenConsumer {

    /** Accepts one generated token; returns true when it ends generation (end-of-generation id or stop string). */
    boolean accept(int token);

    /** Called exactly once when the sequence finishes, after its last {@link #accept}. */
    void finish(FinishReason reason, Throwable error);
}
