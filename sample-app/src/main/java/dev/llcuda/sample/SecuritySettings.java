package dev.llcuda.sample;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Who may call the service ({@code llcuda.security.*}; environment variables such as
 * {@code LLCUDA_SECURITY_API_KEYS=key1,key2} work as for every property). Keys are sent
 * as {@code Authorization: Bearer KEY}; a key is revoked by removing it and restarting
 * the service.
 */
@ConfigurationProperties("llcuda.security")
public class SecuritySettings {

	/**
	 * Keys of API clients, each either the key (at least {@value ApiKeys#MIN_LENGTH}
	 * characters) or {@code sha256:} and the hex SHA-256 of the key. When any is set, or
	 * the service listens beyond the loopback interface, {@code /v1/**}, the page's calls
	 * and the metrics need a key.
	 */
	private List<String> apiKeys = new ArrayList<>();

	/**
	 * Keys of administrators (same forms): all an API key may do, plus registry writes
	 * and health details.
	 */
	private List<String> adminKeys = new ArrayList<>();

	/** Origins whose browser pages may call {@code /v1/**} (CORS); none by default. */
	private List<String> corsAllowedOrigins = new ArrayList<>();

	public List<String> getApiKeys() {
		return this.apiKeys;
	}

	public void setApiKeys(List<String> apiKeys) {
		this.apiKeys = apiKeys;
	}

	public List<String> getAdminKeys() {
		return this.adminKeys;
	}

	public void setAdminKeys(List<String> adminKeys) {
		this.adminKeys = adminKeys;
	}

	public List<String> getCorsAllowedOrigins() {
		return this.corsAllowedOrigins;
	}

	public void setCorsAllowedOrigins(List<String> corsAllowedOrigins) {
		this.corsAllowedOrigins = corsAllowedOrigins;
	}

}
