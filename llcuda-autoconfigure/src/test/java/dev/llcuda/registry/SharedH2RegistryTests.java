package dev.llcuda.registry;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;

/**
 * Registries of one process sharing an H2 file (H2 has the same row lock as PostgreSQL).
 */
class SharedH2RegistryTests extends SharedRegistryContract {

	@Override
	DataSource database() {
		JdbcDataSource h2 = new JdbcDataSource();
		h2.setURL("jdbc:h2:file:" + this.temp.resolve("shared"));
		h2.setUser("sa");
		return h2;
	}

}
