package io.vireo.chaos;

import io.vireo.Service;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the chaos cases share: the figures line, the client service, reading /metrics. */
final class Chaos {
  private Chaos() {}

  /** Prints {@code chaos: <case>: calls=.. failed=.. lost=.. dup=.. ms=.. <more>} to stdout. */
  static String report(
      String name, long calls, long failed, long lost, long dup, long millis, Map<String, ?> more) {
    StringBuilder line =
        new StringBuilder("chaos: ")
            .append(name)
            .append(": calls=")
            .append(calls)
            .append(" failed=")
            .append(failed)
            .append(" lost=")
            .append(lost)
            .append(" dup=")
            .append(dup)
            .append(" ms=")
            .append(millis);
    more.forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
    System.out.println(line);
    return line.toString();
  }

  static Map<String, Object> figures(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  /** A client-only service that finds {@code echo} in ZooKeeper at {@code connect}. */
  /** A started client service, stopped on close. */
  record Client(Service service) implements AutoCloseable {
    @Override
    public void close() {
      service.stop();
    }
  }

  static Client client(String connect, String... keysAndValues) {
    Service.Builder builder =
        Service.builder("chaos-client")
            .set("vireo.registry", "zookeeper")
            .set("vireo.registry.zookeeper.connect", connect)
            .set("vireo.codec", "json")
            .set("vireo.client.timeout", "5s");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      builder.set(keysAndValues[i], keysAndValues[i + 1]);
    }
    return new Client(builder.build().start());
  }

  /** The services' common configuration: ZooKeeper at {@code connect}, JSON. */
  static Map<String, String> serverConfig(String connect, String... keysAndValues) {
    Map<String, String> config = new LinkedHashMap<>();
    config.put("vireo.registry", "zookeeper");
    config.put("vireo.registry.zookeeper.connect", connect);
    config.put("vireo.codec", "json");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      config.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return config;
  }

  /** The sum of a Prometheus counter's samples whose labels contain {@code label}. */
  static double metric(int adminPort, String name, String label)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    double sum = 0;
    for (String line : response.body().split("\n")) {
      if (line.startsWith(name + "{") && line.contains(label)) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
