package dev.llcuda.template;

/**
 * A chat template failed to compile or render. The message names the template, the line
 * and what went wrong; {@link #raisedByTemplate()} tells a template's own
 * {@code raise_exception(msg)} apart from a defect in the template or its input.
 */
public class TemplateException extends Exception {

	private final String templateName;

	private final int line;

	private final String reason;

	private final boolean raisedByTemplate;

	TemplateException(String templateName, int line, String reason, boolean raisedByTemplate) {
		super(templateName + ":" + line + ": " + (raisedByTemplate ? "template refused: " : "") + reason);
		this.templateName = templateName;
		this.line = line;
		this.reason = reason;
		this.raisedByTemplate = raisedByTemplate;
	}

	/** The template's name as given to {@link ChatTemplate#compile}. */
	public String templateName() {
		return templateName;
	}

	/** The 1-based source line where the problem was found. */
	public int line() {
		return line;
	}

	/**
	 * What went wrong, without the location (for raise_exception: the template's
	 * message).
	 */
	public String reason() {
		return reason;
	}

	/**
	 * True when the template itself refused the input with {@code raise_exception(msg)}.
	 */
	public boolean raisedByTemplate() {
		return raisedByTemplate;
	}

}
