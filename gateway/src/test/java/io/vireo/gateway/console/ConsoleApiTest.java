package io.vireo.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Service;
import io.vireo.gateway.Gateway;
import io.vireo.registry.Registry;
import io.vireo.registry.memory.MemoryRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console's JSON API over real HTTP: off by default, behind the gateway's auth, what a service
 * page reads.
 */
class ConsoleApiTest {
  static final Registry REGISTRY = MemoryRegistry.newStore();
  static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  static final String TOKEN = "console-token-of-ops";
  static Service greeter;
  static Gateway guarded;
  static Gateway plain;

  @BeforeAll
  static void start() {
    greeter =
        Service.builder("greeter")
            .registry(REGISTRY)
            .set("vireo.transport", "rsocket")
            .set("vireo.admin.port", "0")
            .set("vireo.admin.host", "127.0.0.1")
            .handle(Greeter.class, new Greeter.Impl())
            .build()
            .start();
    guarded =
        Gateway.builder()
            .registry(REGISTRY)
            .port(0)
            .host("127.0.0.1")
            .set("vireo.transport", "rsocket")
            .set("vireo.gateway.console.enabled", "true")
            .set("vireo.gateway.auth.required", "true")
            .set("vireo.gateway.auth.static.ops.token", TOKEN)
            .build()
            .start();
    plain =
        Gateway.builder()
            .registry(REGISTRY)
            .port(0)
            .host("127.0.0.1")
            .set("vireo.transport", "rsocket")
            .build()
            .start();
  }

  @AfterAll
  static void stop() {
    guarded.stop();
    plain.stop();
    greeter.stop();
  }

  static HttpResponse<String> get(Gateway gateway, String path, String... headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
            .timeout(Duration.ofSeconds(20));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void offUnlessEnabled() {
    assertThat(get(plain, "/console/").statusCode()).isEqualTo(404);
    assertThat(get(plain, "/console/api/services").statusCode()).isEqualTo(404);
  }

  @Test
  void theApiAsksForTheGatewaysTokenThePageDoesNot() {
    HttpResponse<String> page = get(guarded, "/console/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/html"));
    assertThat(page.body()).contains("/console/console.js");
    assertThat(get(guarded, "/console/console.js").statusCode()).isEqualTo(200);

    HttpResponse<String> anonymous = get(guarded, "/console/api/services");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.body()).contains("UNAUTHENTICATED");
    assertThat(get(guarded, "/console/api/services", "authorization", "Bearer wrong").statusCode())
        .isEqualTo(401);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        get(guarded, "/console/api/services", "authorization", "Bearer " + TOKEN)
                            .body())
                    .contains(
                        "{\"name\":\"greeter\",\"instances\":1,\"transports\":[\"rsocket\"]"));
  }

  @Test
  void aServicesInstancesReadinessAndEndpointsWithAnExampleRequest() {
    HttpResponse<String> service =
        get(guarded, "/console/api/services/greeter", "authorization", "Bearer " + TOKEN);
    assertThat(service.statusCode()).isEqualTo(200);
    assertThat(service.body())
        .contains("\"transport\":\"rsocket\"")
        .contains("\"ready\":\"UP\"")
        .contains("\"service\":\"vireo.gateway.console.test.Greeter\",\"method\":\"SayHello\"")
        .contains("\"kind\":\"SERVER_STREAM\"")
        .contains("\"example\":{\"name\":\"\",\"times\":0}");
  }

  @Test
  void mistakesNameWhatToAskFor() {
    HttpResponse<String> unknown =
        get(guarded, "/console/api/nothing", "authorization", "Bearer " + TOKEN);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("expected: services");
    HttpResponse<String> type =
        get(guarded, "/console/api/messages/no.such.Type", "authorization", "Bearer " + TOKEN);
    assertThat(type.statusCode()).isEqualTo(404);
    assertThat(type.body()).contains("no message no.such.Type");
  }
}
