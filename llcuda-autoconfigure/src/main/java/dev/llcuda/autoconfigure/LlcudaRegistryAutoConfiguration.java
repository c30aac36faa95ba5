package dev.llcuda.autoconfigure;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.llcuda.hub.HubDownloader;
import dev.llcuda.registry.ActiveModelFollower;
import dev.llcuda.registry.EntryInspector;
import dev.llcuda.registry.ModelFolders;
import dev.llcuda.registry.ModelPulls;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.registry.RegistryDatabase;
import dev.llcuda.runtime.LlcudaRuntime;
import dev.llcuda.runtime.ModelSet;

/**
 * The model registry, in its own store (the H2 file
 * {@code llcuda.registry.database-file}, or the database server at
 * {@code llcuda.registry.url}) unless the application hands it one of its DataSources
 * ({@code llcuda.registry.datasource}). Its tables are migrated by a private Flyway with
 * its own history table; no DataSource or {@code Flyway} bean is defined, so the
 * application's beans, migrations and health stay as they were.
 */
@AutoConfiguration(after = LlcudaAutoConfiguration.class,
		afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnClass({ Flyway.class, JdbcClient.class, JdbcDataSource.class })
@ConditionalOnProperty(prefix = LlcudaProperties.REGISTRY_PREFIX, name = "enabled", matchIfMissing = true)
public final class LlcudaRegistryAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(LlcudaRegistryAutoConfiguration.class);

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(LlcudaRuntime.class)
	ModelRegistry llcudaModelRegistry(LlcudaProperties properties, LlcudaRuntime runtime, BeanFactory beans) {
		LlcudaProperties.Registry registry = properties.getRegistry();
		RegistryDatabase database = RegistryDatabase.of(registryDataSource(registry, beans));
		logger.info("llcuda model registry in {}", database.description());
		return new ModelRegistry(database, new ModelFolders(registry.getModelFolders()), new EntryInspector(), runtime,
				Clock.systemUTC(), registry.getActivationLockTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(ModelRegistry.class)
	ModelPulls llcudaModelPulls(ModelRegistry registry, LlcudaProperties properties) {
		LlcudaProperties.Registry settings = properties.getRegistry();
		return new ModelPulls(registry, new HubDownloader(settings.getHubUrl(), settings.getHubToken(),
				Duration.ofSeconds(2), settings.getPullReadTimeout()), Clock.systemUTC());
	}

	/**
	 * The application's DataSource it opted in with, else the registry's own: a database
	 * server or the H2 file.
	 */
	private static DataSource registryDataSource(LlcudaProperties.Registry registry, BeanFactory beans) {
		String chosen = registry.getDatasource();
		if (chosen != null && registry.getUrl() != null) {
			throw new IllegalStateException("set either " + LlcudaProperties.REGISTRY_PREFIX + ".datasource or "
					+ LlcudaProperties.REGISTRY_PREFIX + ".url for the model registry, not both");
		}
		if (chosen != null) {
			return applicationDataSource(chosen, beans);
		}
		if (registry.getUrl() != null) {
			DriverManagerDataSource server = new DriverManagerDataSource(registry.getUrl());
			server.setUsername(registry.getUsername());
			server.setPassword(registry.getPassword());
			return server;
		}
		return RegistryDatabase.h2DataSource(registry.getDatabaseFile());
	}

	private static DataSource applicationDataSource(String chosen, BeanFactory beans) {
		String property = LlcudaProperties.REGISTRY_PREFIX + ".datasource=" + chosen;
		if (chosen.equals("application")) {
			DataSource only = beans.getBeanProvider(DataSource.class).getIfUnique();
			if (only == null) {
				throw new IllegalStateException(property + " but the application has no single DataSource bean; "
						+ "name one of its DataSource beans instead");
			}
			return only;
		}
		if (!beans.containsBean(chosen)) {
			throw new IllegalStateException(property + " but the application has no bean named " + chosen);
		}
		return beans.getBean(chosen, DataSource.class);
	}

	@Bean
	@ConditionalOnBean(ModelRegistry.class)
	ActiveModelFollower llcudaActiveModelFollower(ModelRegistry registry) {
		return new ActiveModelFollower(registry);
	}

	/**
	 * Registers new files of the first model folder and records the start-up model as
	 * active, or without one loads the model the registry marks active, and loads into
	 * each named model the one it was last activated with, once the application runs;
	 * from then on follows activations by other replicas.
	 */
	@Bean
	@ConditionalOnBean(ModelRegistry.class)
	ApplicationRunner llcudaModelRegistryStartup(ModelRegistry registry, ActiveModelFollower follower,
			ObjectProvider<ModelSet> models, LlcudaProperties properties) {
		return arguments -> {
			if (properties.getRegistry().isScanOnStartup()) {
				try {
					registry.scan(registry.folders().primary());
				}
				catch (RuntimeException e) {
					logger.warn("llcuda model registry: scanning {} failed: {}", registry.folders().primary(),
							e.getMessage());
				}
			}
			var model = properties.getModel().getPath();
			if (model != null) {
				registry.recordActive(model);
			}
			else {
				registry.resumeActive();
			}
			models.ifAvailable(set -> registry.resumeSlots(set::activator));
			follower.start(properties.getRegistry().getFollowInterval());
		};
	}

}
