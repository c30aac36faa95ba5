package dev.llcuda.template;

/**
 * A runtime error raised while evaluating; the interpreter adds the template name and the line of
 * the innermost expression that failed and turns it into a {@link TemplateException}.
 */
final class EvalError extends RuntimeException {

    private int line;
    private final boolean raisedByTemplate;

    EvalError(String message) {
        this(message, false);
    }

    EvalError(String message, boolean raisedByTemplate) {
        super(message, null, false, false);
        this.raisedByTemplate = raisedByTemplate;
    }

    /** Records the line once: the innermost expression knows it best. */
    EvalError at(int line) {
        if (this.line == 0) {
            this.line = line;
        }
        return this;
    }

    TemplateException toTemplateException(String templateName) {
        return new TemplateException(templateName, line, getMessage(), raisedByTemplate);
    }
}
