package dev.llcuda.template;

/**
 * A render went past one of the {@link TemplateLimit}s and was stopped: the template
 * (from the model file) or its input asks for more work than a prompt can need.
 */
public final class TemplateLimitException extends TemplateException {

	private static final long serialVersionUID = 1L;

	private final TemplateLimit limit;

	private final long limitValue;

	TemplateLimitException(String templateName, int line, String reason, TemplateLimit limit, long limitValue) {
		super(templateName, line, reason, false);
		this.limit = limit;
		this.limitValue = limitValue;
	}

	/** Which bound the render exceeded. */
	public TemplateLimit limit() {
		return limit;
	}

	/** The value of that bound in this render. */
	public long limitValue() {
		return limitValue;
	}

}
