package dev.llcuda.registry;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.jspecify.annotations.Nullable;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;

/** Rows of the registry's {@code models} table. */
final class ModelRepository {

	private static final String TABLE = "\"" + RegistryDatabase.SCHEMA + "\".models";

	private static final String SLOTS = "\"" + RegistryDatabase.SCHEMA + "\".slot_activations";

	private static final String COLUMNS = "id, name, path, sha256, size_bytes, architecture, quantization, "
			+ "parameter_count, context_length, status, status_message, registered_at, verified_at, activated_at";

	private final JdbcClient jdbc;

	ModelRepository(RegistryDatabase database) {
		this.jdbc = JdbcClient.create(database.dataSource());
	}

	long insert(Path path, String sha256, long size, ModelFacts facts, Instant now) {
		GeneratedKeyHolder key = new GeneratedKeyHolder();
		this.jdbc
			.sql("INSERT INTO " + TABLE + " (name, path, sha256, size_bytes, architecture, quantization, "
					+ "parameter_count, context_length, status, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(facts.name(), path.toString(), sha256, size, facts.architecture(), facts.quantization(),
					facts.parameterCount(), facts.contextLength(), ModelStatus.AVAILABLE.name(), Timestamp.from(now))
			.update(key, "id");
		return Objects.requireNonNull(key.getKeyAs(Number.class), "the database returned no generated id").longValue();
	}

	List<ModelRecord> findAll() {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM " + TABLE + " ORDER BY id")
			.query(ModelRepository::row)
			.list();
	}

	Optional<ModelRecord> findById(long id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE id = ?")
			.param(id)
			.query(ModelRepository::row)
			.optional();
	}

	Optional<ModelRecord> findByPath(Path path) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE path = ?")
			.param(path.toString())
			.query(ModelRepository::row)
			.optional();
	}

	Optional<ModelRecord> findActive() {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM " + TABLE + " WHERE status = ? ORDER BY id")
			.param(ModelStatus.ACTIVE.name())
			.query(ModelRepository::row)
			.stream()
			.findFirst();
	}

	void updateStatus(long id, ModelStatus status, @Nullable String message) {
		this.jdbc.sql("UPDATE " + TABLE + " SET status = ?, status_message = ? WHERE id = ?")
			.param(status.name())
			.param(message)
			.param(id)
			.update();
	}

	void markVerified(long id, ModelStatus status, @Nullable String message, Instant now) {
		this.jdbc.sql("UPDATE " + TABLE + " SET status = ?, status_message = ?, verified_at = ? WHERE id = ?")
			.param(status.name())
			.param(message)
			.param(Timestamp.from(now))
			.param(id)
			.update();
	}

	void markActive(long id, Instant now) {
		this.jdbc.sql("UPDATE " + TABLE + " SET status = ?, status_message = NULL, activated_at = ? WHERE id = ?")
			.params(ModelStatus.ACTIVE.name(), Timestamp.from(now), id)
			.update();
	}

	/** Every ACTIVE row back to AVAILABLE (one model serves at a time). */
	void deactivateAll() {
		this.jdbc.sql("UPDATE " + TABLE + " SET status = ? WHERE status = ?")
			.params(ModelStatus.AVAILABLE.name(), ModelStatus.ACTIVE.name())
			.update();
	}

	/**
	 * Records {@code id} as the model the named model {@code slot} was activated with.
	 */
	void recordSlot(String slot, long id, Instant now) {
		forgetSlot(slot);
		this.jdbc.sql("INSERT INTO " + SLOTS + " (slot, model_id, activated_at) VALUES (?, ?, ?)")
			.params(slot, id, Timestamp.from(now))
			.update();
	}

	void forgetSlot(String slot) {
		this.jdbc.sql("DELETE FROM " + SLOTS + " WHERE slot = ?").param(slot).update();
	}

	/** The model each named model was last activated with, by name. */
	Map<String, Long> findSlots() {
		Map<String, Long> slots = new LinkedHashMap<>();
		this.jdbc.sql("SELECT slot, model_id FROM " + SLOTS + " ORDER BY slot")
			.query((rs, rowNum) -> Map.entry(rs.getString("slot"), rs.getLong("model_id")))
			.list()
			.forEach(slot -> slots.put(slot.getKey(), slot.getValue()));
		return slots;
	}

	void delete(long id) {
		this.jdbc.sql("DELETE FROM " + TABLE + " WHERE id = ?").param(id).update();
	}

	private static ModelRecord row(ResultSet rs, int rowNum) throws SQLException {
		ModelFacts facts = new ModelFacts(rs.getString("name"), rs.getString("architecture"),
				rs.getString("quantization"), rs.getLong("parameter_count"), rs.getInt("context_length"));
		return new ModelRecord(rs.getLong("id"), Path.of(rs.getString("path")), rs.getString("sha256").trim(),
				rs.getLong("size_bytes"), facts, ModelStatus.valueOf(rs.getString("status")),
				rs.getString("status_message"), instant(rs.getTimestamp("registered_at")),
				instantOrNull(rs.getTimestamp("verified_at")), instantOrNull(rs.getTimestamp("activated_at")));
	}

	private static Instant instant(Timestamp timestamp) {
		return timestamp.toInstant();
	}

	private static @Nullable Instant instantOrNull(@Nullable Timestamp timestamp) {
		return timestamp == null ? null : timestamp.toInstant();
	}

}
