package dev.llcuda.registry;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

import java.nio.file.Path;

/**
 * The registry's database: its own schema and Flyway history table, migrated here with a
 * private Flyway instance (never a {@code Flyway} bean, which would switch off the
 * application's own migrations).
 */
public final class RegistryDatabase {

	/**
	 * Schema of the registry's tables; quoted everywhere so every database keeps its
	 * case.
	 */
	public static final String SCHEMA = "LLCUDA";

	/** Flyway history table of the registry, separate from the application's. */
	public static final String HISTORY_TABLE = "llcuda_schema_history";

	static final String MIGRATIONS = "classpath:db/llcuda";

	private final DataSource dataSource;

	private final String description;

	private RegistryDatabase(DataSource dataSource, String description) {
		this.dataSource = dataSource;
		this.description = description;
	}

	/** The registry's tables in {@code dataSource}, migrated here. */
	public static RegistryDatabase of(DataSource dataSource) {
		return migrated(dataSource, jdbcUrl(dataSource));
	}

	/** An H2 database in the file {@code h2File} (".mv.db" is appended by H2). */
	public static RegistryDatabase h2File(Path h2File) {
		return of(h2DataSource(h2File));
	}

	public static DataSource h2DataSource(Path h2File) {
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:file:" + h2File.toAbsolutePath());
		h2.setUser("sa");
		return h2;
	}

	private static RegistryDatabase migrated(DataSource dataSource, String description) {
		Flyway.configure()
			.dataSource(dataSource)
			.schemas(SCHEMA)
			.table(HISTORY_TABLE)
			.locations(MIGRATIONS)
			.load()
			.migrate();
		return new RegistryDatabase(dataSource, description);
	}

	private static String jdbcUrl(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			return connection.getMetaData().getURL();
		}
		catch (SQLException e) {
			throw new IllegalStateException(
					"cannot open the DataSource chosen for the model registry: " + e.getMessage(), e);
		}
	}

	public DataSource dataSource() {
		return this.dataSource;
	}

	/** Which database, for health and logs. */
	public String description() {
		return this.description;
	}

}
