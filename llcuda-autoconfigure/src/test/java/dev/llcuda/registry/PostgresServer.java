package dev.llcuda.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.Assumptions;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A real PostgreSQL server of the Debian packages, in a fresh cluster under a temporary
 * folder, listening on a free loopback port; run as {@code nobody} when the tests run as
 * root (PostgreSQL refuses root). Tests are skipped, saying so, only when the binaries
 * are not installed.
 */
final class PostgresServer implements AutoCloseable {

	private static final String USER = "llcuda";

	private final Path bin;

	private final Path root;

	private final Path data;

	private final int port;

	private PostgresServer(Path bin, Path root, int port) {
		this.bin = bin;
		this.root = root;
		this.data = root.resolve("data");
		this.port = port;
	}

	static PostgresServer start() throws IOException, InterruptedException {
		Optional<Path> bin = binaries();
		if (bin.isEmpty()) {
			String reason = "PostgreSQL is not installed (no initdb/pg_ctl under /usr/lib/postgresql/*/bin or on the PATH; "
					+ "bin/install-build-tools installs it): skipping the PostgreSQL registry tests";
			System.err.println("WARNING: " + reason);
			Assumptions.abort(reason);
		}
		Path root = Files.createTempDirectory("llcuda-postgres");
		// the server's user (nobody when we are root) writes its socket here and owns the
		// cluster
		Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
		PostgresServer server = new PostgresServer(bin.get(), root, freePort());
		try {
			server.run(List.of("initdb", "-D", server.data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8",
					"--no-sync"));
			server.run(List.of("pg_ctl", "-D", server.data.toString(), "-l", root.resolve("server.log").toString(),
					"-w", "-t", "30", "-o",
					"-p " + server.port + " -k " + root + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
		}
		catch (IOException | RuntimeException e) {
			server.close();
			throw e;
		}
		return server;
	}

	/** A new database of this server. */
	DataSource createDatabase(String name) {
		try (var connection = dataSource("postgres").getConnection(); var statement = connection.createStatement()) {
			statement.execute("CREATE DATABASE " + name);
		}
		catch (java.sql.SQLException e) {
			throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
		}
		return dataSource(name);
	}

	private DataSource dataSource(String database) {
		PGSimpleDataSource dataSource = new PGSimpleDataSource();
		dataSource.setServerNames(new String[] { "127.0.0.1" });
		dataSource.setPortNumbers(new int[] { this.port });
		dataSource.setDatabaseName(database);
		dataSource.setUser(USER);
		return dataSource;
	}

	@Override
	public void close() throws IOException, InterruptedException {
		try {
			if (Files.exists(this.data.resolve("postmaster.pid"))) {
				run(List.of("pg_ctl", "-D", this.data.toString(), "-m", "immediate", "-w", "stop"));
			}
		}
		finally {
			try (Stream<Path> files = Files.walk(this.root)) {
				for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
					Files.deleteIfExists(file);
				}
			}
		}
	}

	private void run(List<String> command) throws IOException, InterruptedException {
		List<String> line = new ArrayList<>();
		if (isRoot()) {
			line.addAll(List.of("runuser", "-u", "nobody", "--"));
		}
		line.add(this.bin.resolve(command.get(0)).toString());
		line.addAll(command.subList(1, command.size()));
		Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
		boolean exited = process.waitFor(60, TimeUnit.SECONDS);
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!exited || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IOException(String.join(" ", line) + " failed: " + output + logTail());
		}
	}

	private String logTail() throws IOException {
		Path log = this.root.resolve("server.log");
		return Files.exists(log) ? "\nserver log:\n" + Files.readString(log) : "";
	}

	private static boolean isRoot() {
		return "root".equals(System.getProperty("user.name"));
	}

	/** The newest Debian-packaged server, else one on the PATH. */
	private static Optional<Path> binaries() throws IOException {
		Path debian = Path.of("/usr/lib/postgresql");
		if (Files.isDirectory(debian)) {
			try (Stream<Path> versions = Files.list(debian)) {
				Optional<Path> newest = versions.map(version -> version.resolve("bin"))
					.filter(PostgresServer::hasServer)
					.max(Comparator.comparingInt(
							bin -> Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("\\D", "0"))));
				if (newest.isPresent()) {
					return newest;
				}
			}
		}
		return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
			.map(Path::of)
			.filter(PostgresServer::hasServer)
			.findFirst();
	}

	private static boolean hasServer(Path bin) {
		return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))
				&& Files.isExecutable(bin.resolve("postgres"));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
