package io.vireo.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The console's sampler on Prometheus text as Micrometer writes it: rates, error rate and p99 from
 * differences.
 */
class MetricsTest {
  static String scrape(int ok, int failed, int under5ms) {
    return String.join(
        "\n",
        "# HELP vireo_server_calls_seconds calls served",
        "# TYPE vireo_server_calls_seconds histogram",
        "vireo_server_calls_seconds_bucket{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"OK\",le=\"0.005\"} "
            + under5ms,
        "vireo_server_calls_seconds_bucket{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"OK\",le=\"0.1\"} "
            + ok,
        "vireo_server_calls_seconds_bucket{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"OK\",le=\"+Inf\"} "
            + ok,
        "vireo_server_calls_seconds_count{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"OK\"} "
            + ok,
        "vireo_server_calls_seconds_bucket{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"INTERNAL\",le=\"0.005\"} "
            + failed,
        "vireo_server_calls_seconds_bucket{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"INTERNAL\",le=\"0.1\"} "
            + failed,
        "vireo_server_calls_seconds_bucket{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"INTERNAL\",le=\"+Inf\"} "
            + failed,
        "vireo_server_calls_seconds_count{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"INTERNAL\"} "
            + failed,
        "vireo_server_calls_seconds_sum{endpoint=\"pkg.Greeter.SayHello\",service=\"greeter\",status=\"OK\"} 0.5",
        "");
  }

  @Test
  void ratesErrorsAndP99AreDifferencesBetweenSamplesSummedOverInstances() {
    Metrics metrics = new Metrics(3);
    metrics.add(1_000, List.of(scrape(10, 0, 10), scrape(10, 0, 10)));
    assertThat(metrics.json()).isEmpty();
    // 2 s later: 40 more OK calls (half of them slower than 5 ms) and 10 failures, over two
    // instances
    metrics.add(3_000, List.of(scrape(30, 5, 20), scrape(30, 5, 20)));
    @SuppressWarnings("unchecked")
    Map<String, Object> point =
        ((List<Map<String, Object>>) metrics.json().get("pkg.Greeter.SayHello")).get(0);
    assertThat((double) point.get("rate")).isEqualTo(25.0);
    assertThat((double) point.get("errors")).isEqualTo(0.2);
    assertThat((double) point.get("p99")).isEqualTo(100.0);
  }

  @Test
  void theRingKeepsItsCapacity() {
    Metrics metrics = new Metrics(2);
    for (int i = 0; i < 5; i++) {
      metrics.add(1_000L * (i + 1), List.of(scrape(i * 10, 0, i * 10)));
    }
    assertThat((List<?>) metrics.json().get("pkg.Greeter.SayHello")).hasSize(2);
  }
}
