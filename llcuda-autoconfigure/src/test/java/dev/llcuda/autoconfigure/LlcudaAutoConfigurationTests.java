package dev.llcuda.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.micrometer.core.instrument.MeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.llcuda.actuate.LlcudaHealthIndicator;
import dev.llcuda.chat.LlcudaChatModel;
import dev.llcuda.chat.LlcudaChatOptions;
import dev.llcuda.chat.RequestGuard;
import dev.llcuda.chat.Resilience4jRequestGuard;
import dev.llcuda.engine.EngineListener;
import dev.llcuda.engine.GenerationRequest;
import dev.llcuda.engine.SamplingParams;
import dev.llcuda.gpu.GpuRequiredException;
import dev.llcuda.engine.KvType;
import dev.llcuda.gguf.GgmlType;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.runtime.EngineLimits;
import dev.llcuda.runtime.GpuMonitor;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelLoader;
import dev.llcuda.runtime.NativeRuntime;
import dev.llcuda.runtime.RuntimeState;
import dev.llcuda.runtime.ScriptedStepRunner;
import dev.llcuda.runtime.TestServing;

class LlcudaAutoConfigurationTests {

	/** SHA-256 of "tampered". */
	private static final String SHA256_TAMPERED = "d121be3103007b41edf96f8262925f8c7d61894afe9a041843b631f69445bc57";

	@TempDir
	Path temp;

	private ApplicationContextRunner runner() throws IOException {
		return LlcudaContextRunner.of(this.temp)
			.withConfiguration(
					AutoConfigurations.of(LlcudaAutoConfiguration.class, LlcudaMetricsAutoConfiguration.class,
							LlcudaResilienceAutoConfiguration.class, LlcudaChatAutoConfiguration.class,
							LlcudaRegistryAutoConfiguration.class, LlcudaHealthContributorAutoConfiguration.class));
	}

	@Test
	void everyPartIsConfiguredAndNoFlywayBeanCompetesWithTheApplications() throws IOException {
		runner().run(context -> {
			assertThat(context).hasSingleBean(NativeRuntime.class)
				.hasSingleBean(GpuMonitor.class)
				.hasSingleBean(ModelLoader.class)
				.hasSingleBean(LlcudaRuntime.class)
				.hasSingleBean(LlcudaChatModel.class)
				.hasSingleBean(Resilience4jRequestGuard.class)
				.hasSingleBean(ModelRegistry.class)
				.hasSingleBean(LlcudaHealthIndicator.class)
				.doesNotHaveBean(Flyway.class);
			assertThat(context.getBean(ChatModel.class).getOptions().getMaxTokens()).isEqualTo(512);
		});
	}

	@Test
	void springAiModelChatSelectsTheChatModel() throws IOException {
		runner().withPropertyValues("spring.ai.model.chat=none")
			.run(context -> assertThat(context).doesNotHaveBean(ChatModel.class).hasSingleBean(LlcudaRuntime.class));
		runner().withPropertyValues("spring.ai.model.chat=openai")
			.run(context -> assertThat(context).doesNotHaveBean(ChatModel.class));
		runner().withPropertyValues("spring.ai.model.chat=llcuda")
			.run(context -> assertThat(context).hasSingleBean(LlcudaChatModel.class));
	}

	@Test
	void chatOptionDefaultsComeFromProperties() throws IOException {
		runner()
			.withPropertyValues("llcuda.chat.options.temperature=0.2", "llcuda.chat.options.seed=9",
					"llcuda.chat.options.stop-sequences=END,STOP")
			.run(context -> {
				LlcudaChatOptions options = (LlcudaChatOptions) context.getBean(ChatModel.class).getOptions();
				assertThat(options.getTemperature()).isEqualTo(0.2);
				assertThat(options.getSeed()).isEqualTo(9L);
				assertThat(options.getStopSequences()).containsExactly("END", "STOP");
				assertThat(options.getTopK()).isEqualTo(40);
			});
	}

	@Test
	void theKvCacheTypeIsF16UnlessConfigured() throws IOException {
		runner().run(context -> assertThat(context.getBean(EngineLimits.class).kvType()).isEqualTo(KvType.F16));
		runner().withPropertyValues("llcuda.engine.kv-type=q8_0")
			.run(context -> assertThat(context.getBean(EngineLimits.class).kvType()).isEqualTo(KvType.Q8_0));
	}

	@Test
	void theContextLengthBindsAndBelowOneFailsStartupNamingTheProperty() throws IOException {
		runner().withPropertyValues("llcuda.model.context-length=4096").run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(LlcudaProperties.class).getModel().getContextLength()).isEqualTo(4096);
		});
		runner().withPropertyValues("llcuda.model.context-length=0").run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("llcuda.model.context-length must be at least 1, got 0");
		});
	}

	@Test
	void theCheckpointQuantizationAndCacheBindAndATypeThatCannotBeWrittenFailsStartup() throws IOException {
		runner().withPropertyValues("llcuda.model.quantize=q4_k", "llcuda.model.cache-dir=/tmp/llcuda-converted")
			.run(context -> {
				assertThat(context).hasNotFailed();
				LlcudaProperties.Model model = context.getBean(LlcudaProperties.class).getModel();
				assertThat(model.getQuantize()).isEqualTo(GgmlType.Q4_K);
				assertThat(model.getCacheDir()).isEqualTo(Path.of("/tmp/llcuda-converted"));
			});
		runner().run(context -> assertThat(context.getBean(LlcudaProperties.class).getModel().getQuantize()).isNull());
		runner().withPropertyValues("llcuda.model.quantize=IQ2_XXS").run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("llcuda.model.quantize = IQ2_XXS is not a conversion type");
		});
	}

	@Test
	void userBeansTakePrecedence() throws IOException {
		runner().withUserConfiguration(UserBeans.class).run(context -> {
			assertThat(context.getBean(RequestGuard.class)).isSameAs(UserBeans.GUARD);
			assertThat(context).doesNotHaveBean(Resilience4jRequestGuard.class);
			assertThat(context.getBean(LlcudaRuntime.class)).isSameAs(context.getBean("userRuntime"));
		});
	}

	@Test
	void requiredGpuThatIsMissingFailsStartupWithTheReason() throws IOException {
		runner().withPropertyValues("llcuda.gpu.required=true", "llcuda.gpu.enabled=true").run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(GpuRequiredException.class)
				.hasMessageStartingWith("a GPU is required (llcuda.gpu.required=true) but no usable CUDA device: "
						+ "the native library is not loaded (refusing to load");
		});
	}

	@Test
	void oneDeviceAndSeveralDevicesTogetherFailStartupNamingBoth() throws IOException {
		runner().withPropertyValues("llcuda.gpu.device=1", "llcuda.gpu.devices=0,1").run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("llcuda.gpu.device (1) and llcuda.gpu.devices [0, 1] are both set: set device for one GPU "
						+ "or devices for several");
		});
	}

	@Test
	void aDeviceListNamingADeviceTwiceFailsStartup() throws IOException {
		runner().withPropertyValues("llcuda.gpu.devices=0,1,1").run(context -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(IllegalArgumentException.class)
				.hasMessage("llcuda.gpu.devices [0, 1, 1] names a device twice");
		});
	}

	@Test
	void tamperedNativeLibraryIsRefusedAndHealthIsDownWithTheReason() throws IOException {
		runner().run(context -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(LlcudaRuntime.class).state()).isEqualTo(RuntimeState.FAILED);
			Health health = context.getBean(LlcudaHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			String error = (String) health.getDetails().get("error");
			assertThat(error).startsWith("native library: refusing to load ")
				.contains("SHA-256 mismatch, expected " + LlcudaContextRunner.SHA256_ABC + " but the file has "
						+ SHA256_TAMPERED);
			assertThat(((Map<?, ?>) health.getDetails().get("nativeLibrary")).get("error").toString())
				.contains(SHA256_TAMPERED);
		});
	}

	@Test
	void withoutAModelHealthIsOutOfServiceAndSaysHowToLoadOne() throws IOException {
		runner()
			.withBean("userRuntime", LlcudaRuntime.class,
					() -> new LlcudaRuntime(TestServing.loader(Integer.MAX_VALUE, 0, EngineListener.NONE), null, null,
							Duration.ofSeconds(1)))
			.run(context -> {
				Health health = context.getBean(LlcudaHealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
				assertThat(health.getDetails()).containsEntry("model", "none loaded")
					.containsEntry("howToLoad", LlcudaRuntime.HOW_TO_LOAD);
			});
	}

	@Test
	void servingModelIsUpWithModelAndEngineDetailsAndAnswersThroughTheChatModel() throws IOException {
		runner()
			.withBean("userRuntime", LlcudaRuntime.class,
					() -> new LlcudaRuntime(TestServing.loader(Integer.MAX_VALUE, 0, EngineListener.NONE), null,
							TestServing.MICRO_LLAMA, Duration.ofSeconds(1)))
			.run(context -> {
				LlcudaRuntime runtime = context.getBean(LlcudaRuntime.class);
				awaitReady(runtime);
				Health health = context.getBean(LlcudaHealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				Map<?, ?> model = (Map<?, ?>) health.getDetails().get("model");
				assertThat(model.get("architecture")).isEqualTo("llama");
				assertThat(model.get("quantization")).isEqualTo("Q8_0");
				assertThat(((Map<?, ?>) health.getDetails().get("engine")).get("kvBlocksTotal"))
					.isEqualTo(TestServing.KV_BLOCKS);
				String text = context.getBean(ChatModel.class)
					.call(new Prompt("Hello", LlcudaChatOptions.builder().maxTokens(3).seed(5L).build()))
					.getResult()
					.getOutput()
					.getText();
				assertThat(text).isNotEmpty();
			});
	}

	@Test
	void aFailedEngineIsDownAndRecoveringWithTheAttemptNextRetryAndLastError() throws IOException {
		runner().withBean("userRuntime", LlcudaRuntime.class,
				() -> new LlcudaRuntime(TestServing.loader(Integer.MAX_VALUE, 0, EngineListener.NONE), null,
						TestServing.MICRO_LLAMA, Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofMinutes(1)))
			.run(context -> {
				LlcudaRuntime runtime = context.getBean(LlcudaRuntime.class);
				awaitReady(runtime);
				runtime.requireServing()
					.engine()
					.submit(new GenerationRequest(new int[] { 1, 100 },
							SamplingParams.GREEDY.withSeed(ScriptedStepRunner.DEVICE_FAULT_SEED), 2, List.of(),
							Optional.empty()))
					.result()
					.join();
				long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
				while (runtime.state() != RuntimeState.RECOVERING && System.nanoTime() < deadline) {
					Thread.sleep(10);
				}
				Health health = context.getBean(LlcudaHealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.DOWN);
				assertThat(health.getDetails()).containsEntry("state", "RECOVERING")
					.containsEntry("error", "simulated device fault");
				Map<?, ?> recovery = (Map<?, ?>) health.getDetails().get("recovery");
				assertThat(recovery.get("attempt")).isEqualTo(1);
				assertThat(recovery.get("model")).isEqualTo(TestServing.MICRO_LLAMA.toString());
				assertThat(recovery.get("nextAttempt").toString()).isNotEmpty();
			});
	}

	@Test
	void registryAndHealthCanBeSwitchedOff() throws IOException {
		runner().withPropertyValues("llcuda.registry.enabled=false", "management.health.llcuda.enabled=false")
			.run(context -> assertThat(context).doesNotHaveBean(ModelRegistry.class)
				.doesNotHaveBean(LlcudaHealthIndicator.class)
				.hasSingleBean(LlcudaRuntime.class));
	}

	@Test
	void engineMetersAreBoundToTheApplicationsRegistry() throws IOException {
		runner()
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class))
			.run(context -> {
				MeterRegistry meters = context.getBean(MeterRegistry.class);
				assertThat(meters.find("llcuda.requests.queued").gauge()).isNotNull();
				assertThat(meters.find("llcuda.kv.cache.usage").gauge()).isNotNull();
				assertThat(meters.find("llcuda.time.to.first.token").timer()).isNotNull();
				assertThat(meters.find("llcuda.tokens.output").counter()).isNotNull();
				assertThat(meters.find("llcuda.engine.recoveries").functionCounter().count()).isZero();
				// on the CPU there is no GPU to read
				assertThat(meters.find("llcuda.gpu.utilization").gauge()).isNull();
			});
	}

	private static void awaitReady(LlcudaRuntime runtime) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (runtime.state() == RuntimeState.LOADING && System.nanoTime() < deadline) {
			Thread.sleep(10);
		}
		assertThat(runtime.state()).isEqualTo(RuntimeState.READY);
	}

	@Configuration(proxyBeanMethods = false)
	static class UserBeans {

		static final RequestGuard GUARD = RequestGuard.deadline(Duration.ofSeconds(3));

		@Bean
		RequestGuard userGuard() {
			return GUARD;
		}

		@Bean
		LlcudaRuntime userRuntime() {
			return new LlcudaRuntime(TestServing.loader(Integer.MAX_VALUE, 0, EngineListener.NONE), null, null,
					Duration.ofSeconds(1));
		}

	}

}
