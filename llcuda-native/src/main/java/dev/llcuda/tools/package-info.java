/**
 * Tool calling in the model's own words: which syntax a chat template teaches its model
 * ({@link dev.llcuda.tools.ToolCallFormat#detect}), the parsers that read tool calls back
 * out of generated text (Llama 3.x JSON, Hermes/Qwen {@code <tool_call>}, Mistral
 * {@code [TOOL_CALLS]} and the generic JSON of {@link dev.llcuda.tools.GenericToolPrompt}
 * for templates without tool syntax), and {@link dev.llcuda.tools.ToolCallStream}, which
 * lets plain text through while holding back what may still become a tool call. Malformed
 * calls are returned as text, never thrown.
 */
@NullMarked
package dev.llcuda.tools;

import org.jspecify.annotations.NullMarked;
