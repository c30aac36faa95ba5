package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The default service: on the loopback without API keys. The API is open to requests
 * addressed to a loopback host name only (a page elsewhere cannot reach it by DNS
 * rebinding), and registry writes still need the admin key.
 */
class OpenServiceTests extends MicroModelService {

	@Test
	void registryWritesNeedTheAdminKeyEvenOnTheLoopback() throws Exception {
		String outside = "{\"path\": \"/etc/hostname\"}";
		HttpResponse<String> anonymous = send(post("/actuator/llcudamodels", outside, null));
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(json(anonymous).at("/error/message").asString()).contains("needs an admin key");
		assertThat(send(post("/actuator/llcudamodels/1", "{\"action\": \"activate\"}", null)).statusCode())
			.isEqualTo(401);
		assertThat(send(post("/actuator/llcudamodels", "{\"action\": \"unload\"}", "not-a-key-of-this-service"))
			.statusCode()).isEqualTo(401);
		assertThat(send(post("/actuator/llcudamodels", outside, ADMIN_KEY)).statusCode()).isEqualTo(400);
		assertThat(send(get("/actuator/llcudamodels", null)).statusCode()).isEqualTo(200);
	}

	@Test
	void withoutAKeyOnlyRequestsAddressedToALoopbackHostNameAreAnswered() throws Exception {
		for (String host : new String[] { "localhost", "127.0.0.1", "[::1]" }) {
			assertThat(status(host, null)).as(host).isEqualTo(200);
		}
		assertThat(status("rebinding.example", null)).isEqualTo(401);
		assertThat(status("rebinding.example", ADMIN_KEY)).isEqualTo(200);
		assertThat(ServiceSecurity.isLoopbackHost("127.0.0.1.rebinding.example")).isFalse();
		assertThat(ServiceSecurity.isLoopbackHost("0:0:0:0:0:0:0:1")).isTrue();
	}

	/**
	 * The status of GET /v1/models sent with {@code host} as Host header (HttpClient does
	 * not let a test set it).
	 */
	private int status(String host, @Nullable String key) throws IOException {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			OutputStream out = socket.getOutputStream();
			out.write(("GET /v1/models HTTP/1.1\r\nHost: " + host + ":" + this.port + "\r\n"
					+ (key != null ? "Authorization: Bearer " + key + "\r\n" : "") + "Connection: close\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			String statusLine = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
			return Integer.parseInt(statusLine.substring(9, 12));
		}
	}

}
