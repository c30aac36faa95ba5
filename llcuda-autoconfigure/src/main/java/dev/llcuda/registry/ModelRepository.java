package dev.llcuda.registry;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
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

	private static final String ADAPTERS = "\"" + RegistryDatabase.SCHEMA + "\".activation_adapters";

	/** The slot of {@code activation_adapters} that is the default model's. */
	static final String DEFAULT_SLOT = "";

	private static final String COLUMNS = "id, name, path, sha256, size_bytes, architecture, quantization, "
			+ "parameter_count, context_length, status, status_message, registered_at, verified_at, activated_at, kind";

	private final JdbcClient jdbc;

	ModelRepository(RegistryDatabase database) {
		this.jdbc = JdbcClient.create(database.dataSource());
	}

	long insert(Path path, String sha256, long size, ModelFacts facts, Instant now) {
		GeneratedKeyHolder key = new GeneratedKeyHolder();
		this.jdbc.sql("INSERT INTO " + TABLE + " (name, path, sha256, size_bytes, architecture, quantization, "
				+ "parameter_count, context_length, status, registered_at, kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			.params(facts.name(), path.toString(), sha256, size, facts.architecture(), facts.quantization(),
					facts.parameterCount(), facts.contextLength(), ModelStatus.AVAILABLE.name(), Timestamp.from(now),
					facts.kind().name())
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

	/**
	 * Records the registered adapters the model {@code modelId} was activated with into
	 * {@code slot}, in place of the slot's earlier ones.
	 */
	void recordAdapters(String slot, long modelId, ActivationAdapters adapters) {
		forgetAdapters(slot);
		int index = 0;
		for (long id : adapters.merged()) {
			insertAdapter(slot, index++, modelId, id, true);
		}
		for (long id : adapters.beside()) {
			insertAdapter(slot, index++, modelId, id, false);
		}
	}

	private void insertAdapter(String slot, int index, long modelId, long adapterId, boolean merged) {
		this.jdbc
			.sql("INSERT INTO " + ADAPTERS
					+ " (slot, adapter_index, model_id, adapter_id, merged) VALUES (?, ?, ?, ?, ?)")
			.params(slot, index, modelId, adapterId, merged)
			.update();
	}

	void forgetAdapters(String slot) {
		this.jdbc.sql("DELETE FROM " + ADAPTERS + " WHERE slot = ?").param(slot).update();
	}

	/**
	 * The adapters recorded for {@code slot} when the slot's model is still
	 * {@code modelId} (rows of an earlier model are not its).
	 */
	ActivationAdapters findAdapters(String slot, long modelId) {
		List<Long> merged = new ArrayList<>();
		List<Long> beside = new ArrayList<>();
		this.jdbc
			.sql("SELECT adapter_id, merged FROM " + ADAPTERS
					+ " WHERE slot = ? AND model_id = ? ORDER BY adapter_index")
			.params(slot, modelId)
			.query((rs, rowNum) -> Map.entry(rs.getLong("adapter_id"), rs.getBoolean("merged")))
			.list()
			.forEach(row -> (row.getValue() ? merged : beside).add(row.getKey()));
		return new ActivationAdapters(merged, beside);
	}

	/** The slots whose recorded activation uses the adapter {@code adapterId}. */
	List<String> slotsUsing(long adapterId) {
		return this.jdbc.sql("SELECT DISTINCT slot FROM " + ADAPTERS + " WHERE adapter_id = ? ORDER BY slot")
			.param(adapterId)
			.query((rs, rowNum) -> rs.getString("slot"))
			.list();
	}

	void delete(long id) {
		this.jdbc.sql("DELETE FROM " + TABLE + " WHERE id = ?").param(id).update();
	}

	private static ModelRecord row(ResultSet rs, int rowNum) throws SQLException {
		ModelFacts facts = new ModelFacts(rs.getString("name"), rs.getString("architecture"),
				rs.getString("quantization"), rs.getLong("parameter_count"), rs.getInt("context_length"),
				EntryKind.valueOf(rs.getString("kind")));
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
