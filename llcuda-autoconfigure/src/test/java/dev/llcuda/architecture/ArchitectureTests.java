package dev.llcuda.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.or;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * The import graph docs/architecture.md describes: the Spring modules use only the
 * engine's public packages, llcuda-spring-ai knows neither Spring Boot nor the
 * auto-configuration module, no packages of the product depend on each other in a cycle,
 * and no class overrides a method Spring AI deprecated.
 */
class ArchitectureTests {

	/** llcuda-spring-ai's packages. */
	private static final String[] SPRING_AI = { "dev.llcuda.chat..", "dev.llcuda.embedding.." };

	/** llcuda-autoconfigure's packages. */
	private static final String[] AUTOCONFIGURE = { "dev.llcuda.autoconfigure..", "dev.llcuda.runtime..",
			"dev.llcuda.registry..", "dev.llcuda.actuate.." };

	/** The llcuda-native packages llcuda-spring-ai may use. */
	private static final String[] ENGINE_SURFACE_FOR_SPRING_AI = { "dev.llcuda.engine..", "dev.llcuda.model..",
			"dev.llcuda.tokenizer..", "dev.llcuda.template..", "dev.llcuda.grammar..", "dev.llcuda.tools.." };

	/** The llcuda-native packages llcuda-autoconfigure may use. */
	private static final String[] ENGINE_SURFACE_FOR_AUTOCONFIGURE = { "dev.llcuda.engine..", "dev.llcuda.model..",
			"dev.llcuda.tokenizer..", "dev.llcuda.template..", "dev.llcuda.gpu..", "dev.llcuda.nativelib..",
			"dev.llcuda.gguf..", "dev.llcuda.hf..", "dev.llcuda.hub.." };

	private static JavaClasses product;

	@BeforeAll
	static void importProduct() {
		// The engine's test fixtures arrive as its tests jar once the reactor has
		// packaged it
		// (mvn verify), which DO_NOT_INCLUDE_TESTS does not recognise.
		product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
			.withImportOption(location -> !location.contains("-tests.jar"))
			.importPackages("dev.llcuda");
	}

	@Test
	void theSpringAiModelsUseOnlyTheirEngineSurface() {
		classes().that()
			.resideInAnyPackage(SPRING_AI)
			.should()
			.onlyDependOnClassesThat(or(resideOutsideOfPackage("dev.llcuda.."),
					resideInAnyPackage(concat(SPRING_AI, ENGINE_SURFACE_FOR_SPRING_AI))))
			.check(product);
	}

	@Test
	void theAutoConfigurationUsesOnlyTheEngineSurfaceAndTheSpringAiModels() {
		classes().that()
			.resideInAnyPackage(AUTOCONFIGURE)
			.should()
			.onlyDependOnClassesThat(or(resideOutsideOfPackage("dev.llcuda.."),
					resideInAnyPackage(concat(AUTOCONFIGURE, SPRING_AI, ENGINE_SURFACE_FOR_AUTOCONFIGURE))))
			.check(product);
	}

	@Test
	void theSpringAiModelsDoNotUseSpringBoot() {
		noClasses().that()
			.resideInAnyPackage(SPRING_AI)
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework.boot..")
			.check(product);
	}

	@Test
	void noPackagesDependOnEachOtherInACycle() {
		slices().matching("dev.llcuda.(*)..").should().beFreeOfCycles().check(product);
	}

	@Test
	void noDeprecatedSpringAiMethodIsOverridden() {
		noDeprecatedSpringAiOverride().check(product);
	}

	@Test
	void theDeprecatedOverrideRuleFindsOne() {
		JavaClasses fixture = new ClassFileImporter().importClasses(OverridesGetDefaultOptions.class);
		assertThatThrownBy(() -> noDeprecatedSpringAiOverride().check(fixture)).isInstanceOf(AssertionError.class)
			.hasMessageContaining("getDefaultOptions() overrides the deprecated");
	}

	private static ArchRule noDeprecatedSpringAiOverride() {
		return methods().that()
			.areDeclaredInClassesThat()
			.resideInAPackage("dev.llcuda..")
			.should(notOverrideADeprecatedSpringAiMethod());
	}

	private static ArchCondition<JavaMethod> notOverrideADeprecatedSpringAiMethod() {
		return new ArchCondition<>("not override a deprecated Spring AI method") {
			@Override
			public void check(JavaMethod method, ConditionEvents events) {
				String[] parameters = method.getRawParameterTypes()
					.stream()
					.map(JavaClass::getName)
					.toArray(String[]::new);
				Stream
					.concat(method.getOwner().getAllRawSuperclasses().stream(),
							method.getOwner().getAllRawInterfaces().stream())
					.filter(type -> type.getPackageName().startsWith("org.springframework.ai"))
					.map(type -> type.tryGetMethod(method.getName(), parameters))
					.flatMap(Optional::stream)
					.filter(overridden -> overridden.isAnnotatedWith(Deprecated.class))
					.forEach(overridden -> events.add(SimpleConditionEvent.violated(method,
							method.getFullName() + " overrides the deprecated " + overridden.getFullName())));
			}
		};
	}

	/**
	 * What the rule refuses: Spring AI 2.0 deprecated ChatModel.getDefaultOptions() for
	 * getOptions().
	 */
	private static final class OverridesGetDefaultOptions implements ChatModel {

		@Override
		public ChatResponse call(Prompt prompt) {
			throw new UnsupportedOperationException();
		}

		@Override
		@SuppressWarnings("removal")
		public ChatOptions getDefaultOptions() {
			return ChatOptions.builder().build();
		}

	}

	private static String[] concat(String[]... packages) {
		return Arrays.stream(packages).flatMap(Stream::of).toArray(String[]::new);
	}

}
