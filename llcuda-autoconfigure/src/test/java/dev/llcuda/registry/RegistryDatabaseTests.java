package dev.llcuda.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.jdbc.core.simple.JdbcClient;

class RegistryDatabaseTests {

	@TempDir
	Path temp;

	@Test
	void applicationDataSourceKeepsItsOwnMigrationsBesideTheRegistrys() throws IOException {
		JdbcDataSource application = new JdbcDataSource();
		application.setURL("jdbc:h2:file:" + this.temp.resolve("app"));
		RegistryDatabase database = RegistryDatabase.of(application);
		assertThat(database.dataSource()).isSameAs(application);
		// The application's own Flyway, with its default history table in its default
		// schema, still
		// migrates: the registry's tables live in their own schema.
		Flyway.configure().dataSource(application).locations("classpath:app-migrations").load().migrate();
		JdbcClient jdbc = JdbcClient.create(application);
		assertThat(jdbc.sql("SELECT \"script\" FROM \"LLCUDA\".\"llcuda_schema_history\" WHERE \"type\" = 'SQL'")
			.query(String.class)
			.list()).containsExactlyElementsOf(registryMigrations());
		assertThat(jdbc.sql("SELECT COUNT(*) FROM greetings").query(Integer.class).single()).isEqualTo(1);
	}

	/**
	 * Every registry migration shipped, in version order: each new one must apply too.
	 */
	private static List<String> registryMigrations() throws IOException {
		Resource[] scripts = new PathMatchingResourcePatternResolver().getResources("classpath:db/llcuda/V*__*.sql");
		List<String> names = Arrays.stream(scripts)
			.map(Resource::getFilename)
			.sorted(Comparator.comparingInt(name -> Integer.parseInt(name.substring(1, name.indexOf("__")))))
			.toList();
		assertThat(names).startsWith("V1__models.sql", "V2__activation_lock.sql");
		return names;
	}

}
