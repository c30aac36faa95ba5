package dev.llcuda.registry;

import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Replicas sharing a registry in a real PostgreSQL server started for these tests. */
class SharedPostgresRegistryTests extends SharedRegistryContract {

	private static PostgresServer server;

	private static final AtomicInteger databases = new AtomicInteger();

	@BeforeAll
	static void startServer() throws Exception {
		server = PostgresServer.start();
	}

	@AfterAll
	static void stopServer() throws Exception {
		if (server != null) {
			server.close();
		}
	}

	@Override
	DataSource database() {
		return server.createDatabase("registry_" + databases.incrementAndGet());
	}

}
