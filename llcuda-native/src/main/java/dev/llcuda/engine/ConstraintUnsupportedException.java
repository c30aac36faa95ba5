package dev.llcuda.engine;

/**
 * A constrained request (a response format or JSON schema) on a backend that cannot mask tokens
 * yet: what the caller asked for is valid, this engine just cannot keep it.
 */
public final class ConstraintUnsupportedException extends UnsupportedOperationException {

    public ConstraintUnsupportedException(String message) {
        super(message);
    }
}
