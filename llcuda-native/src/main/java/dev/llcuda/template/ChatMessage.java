package dev.llcuda.template;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation as chat templates see it: {@code message.role},
 * {@code message.content} and any extra fields (tool_calls, name, tool_call_id,
 * thinking...).
 *
 * @param content null when a message has none (an assistant turn with only tool calls)
 * @param extra further fields, as JSON-like values (String, Number, Boolean, null, List,
 * Map)
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {

	public ChatMessage {
		Objects.requireNonNull(role, "role");
		extra = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(extra, "extra")));
		if (extra.containsKey("role") || extra.containsKey("content")) {
			throw new IllegalArgumentException("extra fields must not repeat 'role' or 'content'");
		}
	}

	public ChatMessage(String role, String content) {
		this(role, content, Map.of());
	}

	/** The message as the template's dict: role, content, then the extra fields. */
	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("role", role);
		map.put("content", content);
		map.putAll(extra);
		return map;
	}
}
