package dev.llcuda.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AuthenticationEntryPointFailureHandler;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

/**
 * Who may do what. Callers authenticate only with {@code Authorization: Bearer KEY}
 * ({@link ApiKeys}); there are no sessions, cookies or logins, so no browser ever sends a
 * credential on its own and CSRF protection has nothing to protect (it is off). The
 * rules:
 * <ul>
 * <li>{@code /v1/**}, {@code /api/**} (the page's calls) and the Actuator endpoints other
 * than health need a key (API or admin) when API keys are configured or the service
 * listens beyond the loopback interface; then a start without any key fails. Otherwise
 * (loopback, no API keys) they are open to requests addressed to a loopback host name, so
 * that a web page elsewhere cannot reach them by pointing a host name of its own at
 * 127.0.0.1 (DNS rebinding).</li>
 * <li>Registry writes ({@code POST}/{@code DELETE /actuator/llcudamodels}) always need an
 * admin key.</li>
 * <li>{@code /actuator/health} is open; its details and components are shown to admins
 * only ({@code management.endpoint.health.show-details=when-authorized}, role
 * {@value ApiKeys#ADMIN}).</li>
 * <li>The page's static files hold no data and are open. CORS is off unless origins are
 * configured.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class ServiceSecurity {

	private static final Logger logger = LoggerFactory.getLogger(ServiceSecurity.class);

	private static final String BEARER = "Bearer ";

	private static final String INVALID_KEY = "the API key is not valid";

	private static final String REGISTRY = "llcudamodels";

	/**
	 * Host names that reach this machine's loopback interface only: localhost,
	 * 127.0.0.0/8, ::1.
	 */
	private static final Pattern LOOPBACK_HOST = Pattern.compile(
			"localhost|127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[?(0{0,4}:){2,7}0{0,3}1]?", Pattern.CASE_INSENSITIVE);

	@Bean
	ApiKeys apiKeys(SecuritySettings settings) {
		return ApiKeys.of(settings);
	}

	/**
	 * The only way to authenticate (its presence also keeps Boot from creating a default
	 * user).
	 */
	@Bean
	AuthenticationProvider apiKeyAuthenticationProvider(ApiKeys keys) {
		return new AuthenticationProvider() {

			@Override
			public Authentication authenticate(Authentication authentication) {
				ApiKeys.Key key = keys.match(String.valueOf(authentication.getCredentials()))
					.orElseThrow(() -> new BadCredentialsException(INVALID_KEY));
				return new PreAuthenticatedAuthenticationToken(key.name(), null, key.authorities());
			}

			@Override
			public boolean supports(Class<?> authentication) {
				return PreAuthenticatedAuthenticationToken.class.isAssignableFrom(authentication);
			}
		};
	}

	@Bean
	SecurityFilterChain serviceSecurityFilterChain(HttpSecurity http, ApiKeys keys,
			AuthenticationProvider apiKeyAuthenticationProvider, SecuritySettings settings, Environment environment,
			JsonMapper json) {
		boolean keysRequired = keysRequired(keys, environment);
		AuthenticationEntryPoint unauthenticated = (request, response, failure) -> {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"llcuda\"");
			write(json, response, HttpStatus.UNAUTHORIZED, failure instanceof BadCredentialsException
					? Objects.requireNonNullElse(failure.getMessage(), INVALID_KEY) : missingKey(keysRequired, request),
					"invalid_api_key");
		};
		AccessDeniedHandler forbidden = (request, response, denied) -> write(json, response, HttpStatus.FORBIDDEN,
				"this operation needs an admin key (llcuda.security.admin-keys)", "admin_key_required");
		AuthenticationFilter bearer = new AuthenticationFilter(new ProviderManager(apiKeyAuthenticationProvider),
				ServiceSecurity::bearerKey);
		bearer.setSuccessHandler((request, response, authentication) -> {
		});
		bearer.setFailureHandler(new AuthenticationEntryPointFailureHandler(unauthenticated));
		http.csrf(AbstractHttpConfigurer::disable)
			.sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.httpBasic(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.addFilterAt(bearer, BasicAuthenticationFilter.class)
			.exceptionHandling(
					errors -> errors.authenticationEntryPoint(unauthenticated).accessDeniedHandler(forbidden))
			.authorizeHttpRequests(requests -> {
				requests.requestMatchers(EndpointRequest.to("health")).permitAll();
				api(requests.requestMatchers(EndpointRequest.to(REGISTRY).withHttpMethod(HttpMethod.GET)),
						keysRequired);
				requests.requestMatchers(EndpointRequest.to(REGISTRY)).hasRole(ApiKeys.ADMIN);
				api(requests.requestMatchers(EndpointRequest.toAnyEndpoint()), keysRequired);
				api(requests.requestMatchers("/v1/**", "/api/**"), keysRequired);
				requests.anyRequest().permitAll();
			});
		List<String> origins = settings.getCorsAllowedOrigins();
		if (origins.isEmpty()) {
			http.cors(AbstractHttpConfigurer::disable);
		}
		else {
			http.cors(cors -> cors.configurationSource(cors(origins)));
		}
		return http.build();
	}

	private static void api(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizedUrl requests,
			boolean keysRequired) {
		if (keysRequired) {
			requests.authenticated();
		}
		else {
			requests.access((authentication,
					context) -> new AuthorizationDecision(isLoopbackHost(context.getRequest().getServerName())
							|| authentication.get() instanceof PreAuthenticatedAuthenticationToken));
		}
	}

	/** Why a request without a key is refused. */
	private static String missingKey(boolean keysRequired, HttpServletRequest request) {
		if (keysRequired) {
			return "an API key is required: send Authorization: Bearer KEY";
		}
		if (isLoopbackHost(request.getServerName())) {
			return "this operation needs an admin key: send Authorization: Bearer KEY (llcuda.security.admin-keys)";
		}
		return "without a key the service answers only requests addressed to localhost or a loopback address; "
				+ "configure llcuda.security.api-keys to serve other host names";
	}

	/**
	 * Whether the request's host name (from its Host header) is the loopback's, checked
	 * without DNS.
	 */
	static boolean isLoopbackHost(String host) {
		return LOOPBACK_HOST.matcher(host).matches();
	}

	/**
	 * Whether API calls need a key: when API keys are configured, or when the service (or
	 * a separate management server) listens beyond the loopback interface, where a start
	 * without keys fails.
	 */
	static boolean keysRequired(ApiKeys keys, Environment environment) {
		String exposed = beyondLoopback(environment);
		if (exposed != null && keys.isEmpty()) {
			throw new IllegalStateException(exposed + " listens beyond the loopback interface, so API calls need "
					+ "a key, but none is configured: set llcuda.security.api-keys (LLCUDA_SECURITY_API_KEYS), or "
					+ "listen on 127.0.0.1 only");
		}
		if (exposed != null) {
			logger.info("llcuda: {} listens beyond the loopback interface; API calls need a key", exposed);
		}
		return exposed != null || keys.hasApiKeys();
	}

	/** The address setting that listens beyond the loopback interface, or null. */
	private static @Nullable String beyondLoopback(Environment environment) {
		String server = environment.getProperty("server.address");
		if (!isLoopback(server)) {
			return "server.address=" + (server != null ? server : "(every interface)");
		}
		String managementPort = environment.getProperty("management.server.port");
		String management = environment.getProperty("management.server.address");
		if (managementPort != null && !isLoopback(management)) {
			return "management.server.address=" + (management != null ? management : "(every interface)");
		}
		return null;
	}

	private static boolean isLoopback(@Nullable String address) {
		if (address == null || address.isBlank()) {
			return false;
		}
		try {
			for (InetAddress resolved : InetAddress.getAllByName(address.strip())) {
				if (!resolved.isLoopbackAddress()) {
					return false;
				}
			}
			return true;
		}
		catch (UnknownHostException e) {
			throw new IllegalStateException("cannot resolve the listening address " + address, e);
		}
	}

	/**
	 * The key of an {@code Authorization: Bearer KEY} header, or null (unauthenticated)
	 * without one.
	 */
	private static @Nullable PreAuthenticatedAuthenticationToken bearerKey(HttpServletRequest request) {
		String header = request.getHeader(HttpHeaders.AUTHORIZATION);
		if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
			return null;
		}
		return new PreAuthenticatedAuthenticationToken("bearer", header.substring(BEARER.length()).strip());
	}

	private static UrlBasedCorsConfigurationSource cors(List<String> origins) {
		CorsConfiguration configuration = new CorsConfiguration();
		configuration.setAllowedOrigins(origins);
		configuration.setAllowedMethods(List.of("GET", "POST"));
		configuration.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE));
		UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
		source.registerCorsConfiguration("/v1/**", configuration);
		return source;
	}

	private static void write(JsonMapper json, HttpServletResponse response, HttpStatus status, String message,
			String code) throws IOException {
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		json.writeValue(response.getOutputStream(), ApiErrors.error(status, message, null, code).body());
	}

}
