package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;
import org.springframework.security.core.GrantedAuthority;

/** Keys and when they are required. */
class ApiKeysTests {

	private static final String API_KEY = "k".repeat(ApiKeys.MIN_LENGTH);

	private static final String ADMIN_KEY = "admin-" + "a".repeat(ApiKeys.MIN_LENGTH);

	@Test
	void onlyTheExactKeyMatchesAndAdminKeysCarryTheAdminRole() {
		ApiKeys keys = ApiKeys.of(settings(List.of(API_KEY), List.of(ADMIN_KEY)));
		assertThat(keys.match(API_KEY)).map(ApiKeys.Key::name).hasValue("api-key-1");
		assertThat(roles(keys.match(API_KEY).orElseThrow())).containsExactly("ROLE_API");
		assertThat(roles(keys.match(ADMIN_KEY).orElseThrow())).containsExactly("ROLE_API", "ROLE_ADMIN");
		for (String guess : List.of(API_KEY + "k", API_KEY.substring(1), "K" + API_KEY.substring(1), "",
				" " + API_KEY)) {
			assertThat(keys.match(guess)).as(guess).isEmpty();
		}
	}

	@Test
	void aKeyMayBeConfiguredAsItsSha256AndIsKeptOnlyAsADigest() {
		String digest = HexFormat.of().formatHex(ApiKeys.sha256(API_KEY));
		ApiKeys keys = ApiKeys.of(settings(List.of("sha256:" + digest.toUpperCase()), List.of()));
		assertThat(keys.match(API_KEY)).isPresent();
		assertThat(keys.match("sha256:" + digest)).isEmpty();
		assertThat(keys.hasApiKeys()).isTrue();
	}

	@Test
	void shortKeysKeysWithWhiteSpaceAndMalformedDigestsAreRefusedByPosition() {
		assertThatThrownBy(() -> ApiKeys.of(settings(List.of(API_KEY, "short"), List.of())))
			.hasMessageContaining("llcuda.security.api-keys[1]")
			.hasMessageContaining("16 characters");
		assertThatThrownBy(() -> ApiKeys.of(settings(List.of(), List.of("has white space in it"))))
			.hasMessageContaining("llcuda.security.admin-keys[0]");
		assertThatThrownBy(() -> ApiKeys.of(settings(List.of("sha256:abc"), List.of())))
			.hasMessageContaining("64 hex digits");
	}

	@Test
	void keysAreRequiredWhenApiKeysAreSetOrTheServiceListensBeyondTheLoopback() {
		ApiKeys none = ApiKeys.of(settings(List.of(), List.of()));
		ApiKeys adminOnly = ApiKeys.of(settings(List.of(), List.of(ADMIN_KEY)));
		ApiKeys api = ApiKeys.of(settings(List.of(API_KEY), List.of()));
		MockEnvironment loopback = new MockEnvironment().withProperty("server.address", "127.0.0.1");
		assertThat(ServiceSecurity.keysRequired(none, loopback)).isFalse();
		assertThat(ServiceSecurity.keysRequired(adminOnly, loopback)).isFalse();
		assertThat(ServiceSecurity.keysRequired(api, loopback)).isTrue();

		MockEnvironment everywhere = new MockEnvironment().withProperty("server.address", "0.0.0.0");
		assertThat(ServiceSecurity.keysRequired(api, everywhere)).isTrue();
		assertThat(ServiceSecurity.keysRequired(adminOnly, everywhere)).isTrue();
		assertThatThrownBy(() -> ServiceSecurity.keysRequired(none, everywhere))
			.hasMessageContaining("server.address=0.0.0.0")
			.hasMessageContaining("llcuda.security.api-keys");
		assertThatThrownBy(() -> ServiceSecurity.keysRequired(none, new MockEnvironment()))
			.hasMessageContaining("every interface");
		assertThatThrownBy(
				() -> ServiceSecurity.keysRequired(none,
						new MockEnvironment().withProperty("server.address", "127.0.0.1")
							.withProperty("management.server.port", "9090")))
			.hasMessageContaining("management.server.address");
	}

	private static SecuritySettings settings(List<String> apiKeys, List<String> adminKeys) {
		SecuritySettings settings = new SecuritySettings();
		settings.setApiKeys(apiKeys);
		settings.setAdminKeys(adminKeys);
		return settings;
	}

	private static List<String> roles(ApiKeys.Key key) {
		return key.authorities().stream().map(GrantedAuthority::getAuthority).toList();
	}

}
