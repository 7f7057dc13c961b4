package io.vireo.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The admin endpoints of instances, found through the {@code admin-port} they register. */
final class Admin {
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  private Admin() {}

  /** {@code host:port} of the instance's admin endpoint, if it registered one. */
  static Optional<String> address(ServiceInstance instance) {
    String port = instance.metadata().get(ServiceInstance.ADMIN_PORT_METADATA);
    return port == null || port.isBlank()
        ? Optional.empty()
        : Optional.of(hostPort(instance.host(), port));
  }

  static String hostPort(String host, String port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * The instance's {@code /health}: status UP, DOWN, UNREACHABLE, or UNKNOWN without an admin port.
   */
  static Map<String, Object> health(ServiceInstance instance) {
    Map<String, Object> row = new LinkedHashMap<>();
    Optional<String> admin = address(instance);
    if (admin.isEmpty()) {
      row.put("status", "UNKNOWN");
      row.put("reason", "no admin endpoint registered (set vireo.admin.port on the service)");
      return row;
    }
    row.put("admin", admin.get());
    try {
      HttpResponse<String> response = send("GET", admin.get(), "/health");
      JsonNode body = Output.JSON.readTree(response.body());
      row.put("status", body.path("status").asText(response.statusCode() == 200 ? "UP" : "DOWN"));
      row.put("live", body.path("live").asBoolean(false));
      row.put("ready", body.path("ready").asBoolean(false));
      if (body.has("checks")) {
        row.put("checks", body.get("checks"));
      }
    } catch (IOException | RuntimeException e) {
      row.put("status", "UNREACHABLE");
      row.put("reason", e.toString());
    }
    return row;
  }

  /** {@code POST <path>} on an admin endpoint; the JSON answer, or the failure as a status. */
  static JsonNode post(String admin, String path) {
    try {
      HttpResponse<String> response = send("POST", admin, path);
      JsonNode body = Output.JSON.readTree(response.body());
      if (response.statusCode() != 200) {
        throw VireoException.of(
            response.statusCode() == 409 ? Status.FAILED_PRECONDITION : Status.UNAVAILABLE,
            "%s%s answered %d: %s",
            admin,
            path,
            response.statusCode(),
            body.path("message").asText(response.body()));
      }
      return body;
    } catch (IOException e) {
      throw VireoException.of(
          Status.UNAVAILABLE, "admin endpoint %s%s: %s", admin, path, e.toString());
    }
  }

  private static HttpResponse<String> send(String method, String admin, String path)
      throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + admin + path))
            .timeout(TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
