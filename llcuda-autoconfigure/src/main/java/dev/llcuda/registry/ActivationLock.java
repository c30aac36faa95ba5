package dev.llcuda.registry;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.Supplier;

import javax.sql.DataSource;

/**
 * Serializes activations across every registry on one database (service replicas): the
 * lock row's {@code SELECT ... FOR UPDATE} is held in a transaction of its own while the
 * model loads. A waiting activation gives up after {@code timeout}.
 */
final class ActivationLock {

	private static final String LOCK_ROW = "SELECT id FROM \"" + RegistryDatabase.SCHEMA
			+ "\".activation_lock WHERE id = 1 FOR UPDATE";

	private final DataSource dataSource;

	private final Duration timeout;

	ActivationLock(DataSource dataSource, Duration timeout) {
		this.dataSource = dataSource;
		this.timeout = timeout;
	}

	<T> T holding(Supplier<T> action) {
		try (Connection connection = this.dataSource.getConnection()) {
			boolean autoCommit = connection.getAutoCommit();
			connection.setAutoCommit(false);
			try (Statement statement = connection.createStatement()) {
				limitWait(connection, statement);
				statement.executeQuery(LOCK_ROW).close();
				T result = action.get();
				connection.commit();
				return result;
			}
			catch (RuntimeException | SQLException e) {
				connection.rollback();
				throw e;
			}
			finally {
				connection.setAutoCommit(autoCommit);
			}
		}
		catch (SQLException e) {
			throw new IllegalStateException("model registry: no activation lock within " + this.timeout
					+ " (another activation holds it?): " + e.getMessage(), e);
		}
	}

	/** The lock wait limit, in each database's own words; others keep their default. */
	private void limitWait(Connection connection, Statement statement) throws SQLException {
		long millis = this.timeout.toMillis();
		switch (connection.getMetaData().getDatabaseProductName()) {
			case "H2" -> statement.execute("SET LOCK_TIMEOUT " + millis);
			case "PostgreSQL" -> statement.execute("SET LOCAL lock_timeout = " + millis);
			default -> {
			}
		}
	}

}
