package dev.llcuda.autoconfigure;

import java.time.Clock;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.llcuda.registry.GgufModelInspector;
import dev.llcuda.registry.ModelFolders;
import dev.llcuda.registry.ModelRegistry;
import dev.llcuda.registry.RegistryDatabase;
import dev.llcuda.runtime.LlcudaRuntime;

/**
 * The model registry, in the application's DataSource when it has a persistent one, else in an
 * H2 file ({@code llcuda.registry.database-file}). Its tables are migrated by a private Flyway
 * with its own history table; no {@code Flyway} bean is defined, so the application's own
 * migrations run as usual.
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
    ModelRegistry llcudaModelRegistry(LlcudaProperties properties, LlcudaRuntime runtime,
            ObjectProvider<DataSource> dataSource) {
        LlcudaProperties.Registry registry = properties.getRegistry();
        DataSource application = dataSource.getIfUnique();
        RegistryDatabase database = application != null
                ? RegistryDatabase.choose(application, registry.getDatabaseFile())
                : RegistryDatabase.h2File(registry.getDatabaseFile());
        logger.info("llcuda model registry in {}", database.description());
        return new ModelRegistry(database, new ModelFolders(registry.getModelFolders()), new GgufModelInspector(),
                runtime, Clock.systemUTC());
    }

    /** Registers new files of the first model folder and the start-up model, once the application runs. */
    @Bean
    @ConditionalOnBean(ModelRegistry.class)
    ApplicationRunner llcudaModelRegistryStartup(ModelRegistry registry, LlcudaProperties properties) {
        return arguments -> {
            if (properties.getRegistry().isScanOnStartup()) {
                try {
                    registry.scan(registry.folders().primary());
                } catch (RuntimeException e) {
                    logger.warn("llcuda model registry: scanning {} failed: {}", registry.folders().primary(),
                            e.getMessage());
                }
            }
            var model = properties.getModel().getPath();
            if (model != null) {
                registry.recordActive(model);
            }
        };
    }
}
