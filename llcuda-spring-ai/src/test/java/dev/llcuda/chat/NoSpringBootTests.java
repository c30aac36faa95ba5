package dev.llcuda.chat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * llcuda-spring-ai depends on Spring AI's model modules only, as Spring AI's provider
 * modules do: Spring Boot is not on its class path (compile, runtime or test).
 */
class NoSpringBootTests {

	@Test
	void springBootIsNotOnTheClassPath() {
		assertThatThrownBy(() -> Class.forName("org.springframework.boot.SpringApplication"))
			.isInstanceOf(ClassNotFoundException.class);
		assertThatThrownBy(() -> Class.forName("org.springframework.boot.autoconfigure.AutoConfiguration"))
			.isInstanceOf(ClassNotFoundException.class);
	}

}
