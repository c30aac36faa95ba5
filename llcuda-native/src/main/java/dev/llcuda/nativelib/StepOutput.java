package dev.llcuda.nativelib;

import com.sun.jna.Pointer;

/**
 * What one step returned, in native buffers reused from step to step: the sampled token and
 * its log-probability per sequence and the requested logits rows in batch order. Valid until
 * the next step that writes into this output.
 */
public final class StepOutput {

    private final NativeBuffer sampled = new NativeBuffer();
    private final NativeBuffer logprobs = new NativeBuffer();
    private final NativeBuffer logits = new NativeBuffer();
    private final LlcudaLibrary.StepOutputStruct struct = new LlcudaLibrary.StepOutputStruct();
    private int sequences;
    private int rows;
    private int vocabSize;

    public StepOutput() {
        struct.setAutoRead(false);
        struct.setAutoWrite(false);
    }

    /** Sizes the buffers for {@code batch} and returns the struct the native step fills. */
    LlcudaLibrary.StepOutputStruct prepare(Batch batch, int vocabSize) {
        this.sequences = batch.sequenceCount();
        this.rows = batch.logitRowCount();
        this.vocabSize = vocabSize;
        long logitFloats = (long) rows * vocabSize;
        struct.sampled = sampled.reserve((long) sequences * Integer.BYTES);
        struct.logprobs = logprobs.reserve((long) sequences * Float.BYTES);
        struct.logits = rows == 0 ? null : logits.reserve(logitFloats * Float.BYTES);
        struct.logits_capacity = logitFloats;
        struct.write();
        return struct;
    }

    /** {@code LLCUDA_SAMPLE_NO_FINITE_LOGIT}: the sequence's logits had no finite value (it alone failed). */
    public static final int NO_FINITE_LOGIT = -2;

    /** The token sampled for sequence {@code seq}; -1 when it was not sampled, or {@link #NO_FINITE_LOGIT}. */
    public int sampled(int seq) {
        return struct.sampled.getInt((long) checkSequence(seq) * Integer.BYTES);
    }

    /** The log-probability of the token sampled for sequence {@code seq}. */
    public float logprob(int seq) {
        return struct.logprobs.getFloat((long) checkSequence(seq) * Float.BYTES);
    }

    /** Rows of logits returned (the tokens flagged in the batch, in batch order). */
    public int logitRows() {
        return rows;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Copies row {@code row} of the returned logits into {@code destination} ({@code vocabSize()} floats). */
    public void logitsRow(int row, float[] destination) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("logits row " + row + " of " + rows);
        }
        Pointer base = struct.logits;
        base.read((long) row * vocabSize * Float.BYTES, destination, 0, vocabSize);
    }

    /** A copy of the returned logits row. */
    public float[] logitsRow(int row) {
        float[] copy = new float[vocabSize];
        logitsRow(row, copy);
        return copy;
    }

    private int checkSequence(int seq) {
        if (seq < 0 || seq >= sequences) {
            throw new IndexOutOfBoundsException("sequence " + seq + " of " + sequences + " in the last step");
        }
        return seq;
    }
}
