package dev.llcuda.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.health.DataSourceHealthContributorAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.llcuda.autoconfigure.LlcudaAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaChatAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaHealthContributorAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaMetricsAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaRegistryAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaRegistryEndpointAutoConfiguration;
import dev.llcuda.autoconfigure.LlcudaResilienceAutoConfiguration;
import dev.llcuda.registry.ModelRegistry;

/**
 * An application of its own (with and without a DataSource and Flyway migrations) before
 * and after adding llcuda's auto-configuration: its beans, schema and health components
 * stay as they were, beside llcuda's own.
 */
class ConsumerApplicationTests {

	private static final AutoConfigurations LLCUDA = AutoConfigurations.of(LlcudaAutoConfiguration.class,
			LlcudaMetricsAutoConfiguration.class, LlcudaResilienceAutoConfiguration.class,
			LlcudaChatAutoConfiguration.class, LlcudaRegistryAutoConfiguration.class,
			LlcudaRegistryEndpointAutoConfiguration.class, LlcudaHealthContributorAutoConfiguration.class);

	/**
	 * What the application configures itself: health, and a database with its own
	 * migrations.
	 */
	private static final AutoConfigurations DATABASE = AutoConfigurations.of(DataSourceAutoConfiguration.class,
			FlywayAutoConfiguration.class, DataSourceHealthContributorAutoConfiguration.class);

	@TempDir
	Path temp;

	private ApplicationContextRunner application() {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(HealthContributorAutoConfiguration.class))
			.withUserConfiguration(ConsumerApplication.class);
	}

	private ApplicationContextRunner withDatabase(ApplicationContextRunner application) {
		return application.withConfiguration(DATABASE)
			.withPropertyValues("spring.datasource.url=jdbc:h2:file:" + this.temp.resolve("app"),
					"spring.flyway.locations=classpath:app-migrations");
	}

	private ApplicationContextRunner withLlcuda(ApplicationContextRunner application) throws IOException {
		Path library = Files.writeString(this.temp.resolve("libllcuda.so"), "not a library");
		return application.withConfiguration(LLCUDA)
			.withPropertyValues("llcuda.native.library-path=" + library,
					"llcuda.native.library-sha256=" + "0".repeat(64),
					"llcuda.native.cache-dir=" + this.temp.resolve("cache"), "llcuda.gpu.enabled=false",
					"llcuda.registry.database-file=" + this.temp.resolve("registry"),
					"llcuda.registry.model-folders=" + Files.createDirectories(this.temp.resolve("models")));
	}

	@Test
	void anApplicationWithoutADatabaseGetsNoneAndOnlyLlcudasBeansAndHealth() throws IOException {
		Set<String> before = beanNames(application());
		Set<String> healthBefore = healthContributors(application());
		withLlcuda(application()).run(context -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(ModelRegistry.class)
				.doesNotHaveBean(DataSource.class)
				.doesNotHaveBean(Flyway.class);
			assertOnlyLlcudasBeansWereAdded(context, before);
			Set<String> health = new TreeSet<>(context.getBeansOfType(HealthContributor.class).keySet());
			health.removeAll(healthBefore);
			assertThat(health).containsExactly("llcudaHealthContributor");
		});
	}

	@Test
	void anApplicationWithItsOwnDatabaseKeepsItsSchemaMigrationsAndHealth() throws IOException {
		Set<String> before = beanNames(withDatabase(application()));
		Set<String> healthBefore = healthContributors(withDatabase(application()));
		assertThat(healthBefore).contains("dbHealthContributor");
		withLlcuda(withDatabase(application())).run(context -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(ModelRegistry.class)
				.hasSingleBean(DataSource.class)
				.hasSingleBean(Flyway.class);
			assertOnlyLlcudasBeansWereAdded(context, before);
			Set<String> health = new TreeSet<>(context.getBeansOfType(HealthContributor.class).keySet());
			health.removeAll(healthBefore);
			assertThat(health).containsExactly("llcudaHealthContributor");
			JdbcClient app = JdbcClient.create(context.getBean(DataSource.class));
			assertThat(app.sql("SELECT text FROM greetings").query(String.class).list()).containsExactly("hello");
			assertThat(app.sql("SELECT \"script\" FROM \"flyway_schema_history\" WHERE \"type\" = 'SQL'")
				.query(String.class)
				.list()).containsExactly("V1__greetings.sql");
			assertThat(schemas(app)).doesNotContain("LLCUDA");
			// the registry's tables are in its own file
			assertThat(schemas(JdbcClient.create(h2(this.temp.resolve("registry"))))).contains("LLCUDA");
		});
	}

	@Test
	void theApplicationsDataSourceHoldsTheRegistryOnlyWhenItOptsIn() throws IOException {
		withLlcuda(withDatabase(application())).withPropertyValues("llcuda.registry.datasource=application")
			.run(context -> {
				JdbcClient app = JdbcClient.create(context.getBean(DataSource.class));
				assertThat(schemas(app)).contains("LLCUDA");
				assertThat(context.getBean(ModelRegistry.class).databaseDescription())
					.isEqualTo("jdbc:h2:file:" + this.temp.resolve("app"));
				// both histories, each in its own table
				assertThat(app.sql("SELECT \"script\" FROM \"flyway_schema_history\" WHERE \"type\" = 'SQL'")
					.query(String.class)
					.list()).containsExactly("V1__greetings.sql");
				assertThat(app.sql("SELECT COUNT(*) FROM \"LLCUDA\".\"llcuda_schema_history\" WHERE \"type\" = 'SQL'")
					.query(Integer.class)
					.single()).isPositive();
			});
	}

	@Test
	void aNamedDataSourceBeanHoldsTheRegistry() throws IOException {
		twoDataSources(withLlcuda(application())).withPropertyValues("llcuda.registry.datasource=registryStore")
			.run(context -> {
				assertThat(schemas(JdbcClient.create(context.getBean("registryStore", DataSource.class))))
					.contains("LLCUDA");
				assertThat(schemas(JdbcClient.create(context.getBean("ordersStore", DataSource.class))))
					.doesNotContain("LLCUDA");
			});
	}

	@Test
	void aDatabaseServerUrlHoldsTheRegistrysOwnStoreWithoutADataSourceBean() throws IOException {
		String url = "jdbc:h2:file:" + this.temp.resolve("server");
		withLlcuda(application()).withPropertyValues("llcuda.registry.url=" + url, "llcuda.registry.username=sa")
			.run(context -> {
				assertThat(context).hasNotFailed().doesNotHaveBean(DataSource.class);
				assertThat(context.getBean(ModelRegistry.class).databaseDescription()).isEqualTo(url);
				assertThat(schemas(JdbcClient.create(h2(this.temp.resolve("server"))))).contains("LLCUDA");
			});
		withLlcuda(withDatabase(application()))
			.withPropertyValues("llcuda.registry.url=" + url, "llcuda.registry.datasource=application")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("set either llcuda.registry.datasource or llcuda.registry.url for the model "
						+ "registry, not both"));
	}

	@Test
	void aDataSourceThatDoesNotExistIsRefusedByName() throws IOException {
		withLlcuda(application()).withPropertyValues("llcuda.registry.datasource=nowhere")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessage("llcuda.registry.datasource=nowhere but the application has no bean named nowhere"));
		twoDataSources(withLlcuda(application())).withPropertyValues("llcuda.registry.datasource=application")
			.run(context -> assertThat(context).getFailure()
				.rootCause()
				.hasMessageStartingWith(
						"llcuda.registry.datasource=application but the application has no single DataSource"));
	}

	private ApplicationContextRunner twoDataSources(ApplicationContextRunner application) {
		return application.withBean("registryStore", DataSource.class, () -> h2(this.temp.resolve("registry-store")))
			.withBean("ordersStore", DataSource.class, () -> h2(this.temp.resolve("orders")));
	}

	private static Set<String> healthContributors(ApplicationContextRunner runner) {
		Set<String> names = new TreeSet<>();
		runner.run(context -> names.addAll(context.getBeansOfType(HealthContributor.class).keySet()));
		return names;
	}

	private static Set<String> beanNames(ApplicationContextRunner runner) {
		Set<String> names = new TreeSet<>();
		runner.run(context -> names.addAll(Arrays.asList(context.getBeanDefinitionNames())));
		return names;
	}

	/**
	 * Every bean the application did not have before is one of llcuda's (its type or its
	 * name says so).
	 */
	private static void assertOnlyLlcudasBeansWereAdded(AssertableApplicationContext context, Set<String> before) {
		Set<String> added = new TreeSet<>(Arrays.asList(context.getBeanDefinitionNames()));
		added.removeAll(before);
		assertThat(added).isNotEmpty()
			.allSatisfy(name -> assertThat(
					name.toLowerCase().contains("llcuda") || context.getType(name).getName().startsWith("dev.llcuda."))
				.as("bean %s (%s) is llcuda's", name, context.getType(name))
				.isTrue());
		assertThat(context.getBeansOfType(DataSource.class).keySet())
			.allSatisfy(name -> assertThat(before).contains(name));
	}

	private static Set<String> schemas(JdbcClient jdbc) {
		return new TreeSet<>(
				jdbc.sql("SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA").query(String.class).list());
	}

	private static DataSource h2(Path file) {
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:file:" + file);
		h2.setUser("sa");
		return h2;
	}

	/**
	 * The consumer's own code: one bean of its own, and the configuration properties
	 * every Boot application has.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties
	static class ConsumerApplication {

		@Bean
		Map<String, String> greetingsByLanguage() {
			return Map.of("en", "hello");
		}

	}

}
