package dev.llcuda.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard in {@code config/} queries only metrics the service publishes:
 * every metric name in a panel's or variable's query is in the service's Prometheus
 * scrape, except the GPU meters, which exist only on a GPU with NVML and are checked
 * against the README's meter table instead.
 */
class GrafanaDashboardTests extends MicroModelService {

	static final Path DASHBOARD = Path.of("..", "config", "grafana-llcuda.json");

	static final Path README = Path.of("..", "README.md");

	private static final Pattern METRIC = Pattern.compile("llcuda_[a-z_]+|gen_ai_[a-z_]+|resilience4j_[a-z_]+");

	/**
	 * A README meter row: name, type and unit, e.g.
	 * {@code | `llcuda.gpu.power` | gauge | watts |}.
	 */
	private static final Pattern README_METER = Pattern.compile("^\\| `([a-z_.]+)` \\| [a-z]+ \\| ([a-z]+) \\|",
			Pattern.MULTILINE);

	@Test
	void everyMetricTheDashboardQueriesIsPublished() throws Exception {
		awaitReady();
		HttpResponse<String> completion = send(
				post("/v1/completions", "{\"prompt\": \"Once upon a time\", \"max_tokens\": 4, \"seed\": 1}", null));
		assertThat(completion.statusCode()).as(completion.body()).isEqualTo(200);
		HttpResponse<String> scrape = send(get("/actuator/prometheus", null));
		assertThat(scrape.statusCode()).isEqualTo(200);
		Set<String> published = scrape.body()
			.lines()
			.filter(line -> !line.isEmpty() && !line.startsWith("#"))
			.map(line -> line.split("[{ ]", 2)[0])
			.collect(Collectors.toCollection(TreeSet::new));

		Set<String> queried = queriedMetrics();
		assertThat(queried).contains("llcuda_tokens_output_tokens_total", "llcuda_gpu_power_watts",
				"resilience4j_circuitbreaker_state");
		for (String metric : queried) {
			if (metric.startsWith("llcuda_gpu_")) {
				assertThat(documentedGpuMetrics()).as("GPU metric in the README's meter table").contains(metric);
			}
			else {
				assertThat(published).as("metric in the service's scrape").contains(metric);
			}
		}
	}

	/**
	 * The metric names in every query of the dashboard: panel targets and template
	 * variables.
	 */
	private static Set<String> queriedMetrics() throws IOException {
		JsonNode dashboard = JSON.readTree(Files.readString(DASHBOARD));
		Set<String> metrics = new TreeSet<>();
		for (JsonNode query : dashboard.findValues("expr")) {
			addMetrics(query.asString(), metrics);
		}
		for (JsonNode variable : dashboard.at("/templating/list")) {
			addMetrics(variable.path("definition").asString(""), metrics);
		}
		return metrics;
	}

	private static void addMetrics(String query, Set<String> metrics) {
		Matcher metric = METRIC.matcher(query);
		while (metric.find()) {
			metrics.add(metric.group());
		}
	}

	/**
	 * The README's GPU gauges in Prometheus' naming: dots to underscores, then the unit.
	 */
	private static Set<String> documentedGpuMetrics() throws IOException {
		Matcher row = README_METER.matcher(Files.readString(README));
		Set<String> metrics = new TreeSet<>();
		while (row.find()) {
			if (row.group(1).startsWith("llcuda.gpu.")) {
				metrics.add(row.group(1).replace('.', '_') + "_" + row.group(2));
			}
		}
		return metrics;
	}

}
