package dev.llcuda.template;

/**
 * A runtime error raised while evaluating; the interpreter adds the template name and the
 * line of the innermost expression that failed and turns it into a
 * {@link TemplateException}.
 */
final class EvalError extends RuntimeException {

	private int line;

	private final boolean raisedByTemplate;

	private TemplateLimit limit;

	private long limitValue;

	EvalError(String message) {
		this(message, false);
	}

	EvalError(String message, boolean raisedByTemplate) {
		super(message, null, false, false);
		this.raisedByTemplate = raisedByTemplate;
	}

	/**
	 * The render exceeded {@code limit}, whose value is {@code value}; {@code what} says
	 * how.
	 */
	static EvalError limit(TemplateLimit limit, long value, String what) {
		EvalError error = new EvalError(what + " (template limit " + limit + " = " + value + ")");
		error.limit = limit;
		error.limitValue = value;
		return error;
	}

	/** Records the line once: the innermost expression knows it best. */
	EvalError at(int line) {
		if (this.line == 0) {
			this.line = line;
		}
		return this;
	}

	TemplateException toTemplateException(String templateName) {
		if (limit != null) {
			return new TemplateLimitException(templateName, line, getMessage(), limit, limitValue);
		}
		return new TemplateException(templateName, line, getMessage(), raisedByTemplate);
	}

}
