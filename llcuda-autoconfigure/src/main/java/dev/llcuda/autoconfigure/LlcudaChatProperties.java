package dev.llcuda.autoconfigure;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The default options of chat requests under {@value #PREFIX}, flat as Spring AI 2.0's
 * own providers keep them ({@code spring.ai.llcuda.chat.temperature}, ...); each request
 * may override any of them. The deprecated {@code llcuda.chat.options.*} keys still set
 * them for this release.
 */
@ConfigurationProperties(LlcudaChatProperties.PREFIX)
public class LlcudaChatProperties extends LlcudaProperties.Options {

	/** Prefix of the default chat options. */
	public static final String PREFIX = "spring.ai.llcuda.chat";

}
