package io.vireo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.memory.MemoryRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Plain HTTP routes through a real gateway to real reactor-netty backends, with the filters. */
class GatewayProxyTest {
  private final Registry registry = MemoryRegistry.newStore();
  private final Backend stable = new Backend("stable");
  private final Backend canary = new Backend("canary");
  private Gateway gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.stop();
    }
    stable.close();
    canary.close();
  }

  private Gateway start(Map<String, String> settings) {
    Gateway.Builder builder = Gateway.builder().registry(registry).port(0).host("127.0.0.1");
    settings.forEach(builder::set);
    gateway = builder.build().start();
    return gateway;
  }

  private void registerHttp(String service, Backend backend, Map<String, String> metadata) {
    registry
        .register(
            new ServiceInstance(
                service,
                service + "-" + backend.name,
                "127.0.0.1",
                backend.port(),
                "http",
                "1.0",
                100,
                metadata,
                List.of()))
        .block();
  }

  @Test
  void proxiesToAFixedUpstreamWithPrefixStrippedAndRequestIdAndTraceContext() {
    start(
        Map.of(
            "vireo.gateway.routes[0].id", "legacy",
            "vireo.gateway.routes[0].path", "/legacy/**",
            "vireo.gateway.routes[0].uri", stable.uri(),
            "vireo.gateway.routes[0].strip-prefix", "1",
            "vireo.gateway.routes[0].request-headers.set.x-added", "yes"));

    HttpResponse<String> response =
        Http.get(
            gateway,
            "/legacy/hello/world?x=1",
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello from stable");
    assertThat(response.headers().firstValue("x-seen-path")).hasValue("/hello/world?x=1");
    assertThat(response.headers().firstValue("x-seen-added")).hasValue("yes");
    String requestId = response.headers().firstValue("x-request-id").orElseThrow();
    assertThat(response.headers().firstValue("x-seen-request-id")).hasValue(requestId);
    String traceparent = response.headers().firstValue("x-seen-traceparent").orElseThrow();
    assertThat(traceparent)
        .startsWith("00-0af7651916cd43dd8448eb211c80319c-")
        .doesNotContain("b7ad6b7169203331");
    assertThat(response.headers().firstValue("traceparent")).hasValue(traceparent);
  }

  @Test
  void streamsARequestBodyThroughAndAnswers404JsonForNoRoute() {
    start(
        Map.of(
            "vireo.gateway.routes[0].path", "/echo", "vireo.gateway.routes[0].uri", stable.uri()));

    assertThat(Http.post(gateway, "/echo", "x".repeat(100_000)).body()).hasSize(100_000);
    HttpResponse<String> missing = Http.get(gateway, "/nowhere");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(missing.body())
        .isEqualTo("{\"code\":\"NOT_FOUND\",\"message\":\"no route for GET /nowhere\"}");
  }

  @Test
  void refusesABodyOverTheLimitWith413AndKeepsServing() {
    start(
        Map.of(
            "vireo.gateway.routes[0].path",
            "/echo",
            "vireo.gateway.routes[0].uri",
            stable.uri(),
            "vireo.gateway.routes[0].max-body-size",
            "1KB"));

    HttpResponse<String> tooLarge = Http.post(gateway, "/echo", "x".repeat(2000));
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(tooLarge.body()).contains("\"code\":\"RESOURCE_EXHAUSTED\"").contains("1024 bytes");
    assertThat(Http.post(gateway, "/echo", "small").body()).isEqualTo("small");
  }

  @Test
  void answers429WithRetryAfterPastTheBudget() {
    start(
        Map.of(
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            stable.uri(),
            "vireo.gateway.routes[0].rate-limit.rate",
            "0.01",
            "vireo.gateway.routes[0].rate-limit.burst",
            "3"));

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> ok = Http.get(gateway, "/hello/x");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.headers().firstValue("x-ratelimit-limit")).hasValue("3");
      assertThat(ok.headers().firstValue("x-ratelimit-remaining"))
          .hasValue(Integer.toString(2 - i));
    }
    HttpResponse<String> refused = Http.get(gateway, "/hello/x");
    assertThat(refused.statusCode()).isEqualTo(429);
    assertThat(refused.body()).contains("\"code\":\"RESOURCE_EXHAUSTED\"");
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    assertThat(refused.headers().firstValue("x-ratelimit-remaining")).hasValue("0");
    assertThat(stable.hits.get()).isEqualTo(3);
  }

  @Test
  void clusterWideLimitIsSharedByTheGatewaysInTheRegistry() {
    // a second gateway instance in the registry: each takes half of the budget
    registry
        .register(
            new ServiceInstance(
                "gateway", "gateway-other", "127.0.0.1", 1, "http", "", 100, Map.of(), List.of()))
        .block();
    start(
        Map.of(
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            stable.uri(),
            "vireo.gateway.routes[0].rate-limit.rate",
            "0.01",
            "vireo.gateway.routes[0].rate-limit.burst",
            "4",
            "vireo.gateway.routes[0].rate-limit.cluster",
            "true"));

    Awaitility.await()
        .untilAsserted(() -> assertThat(registry.instances("gateway").block()).hasSize(2));
    int served = 0;
    for (int i = 0; i < 4; i++) {
      if (Http.get(gateway, "/hello/x").statusCode() == 200) {
        served++;
      }
    }
    assertThat(served).isEqualTo(2);
  }

  @Test
  void canaryHeaderReachesOnlyTheCanaryInstance() {
    registerHttp("web", stable, Map.of());
    registerHttp("web", canary, Map.of("canary", "true"));
    start(
        Map.of(
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            "lb://web",
            "vireo.gateway.routes[0].canary.header",
            "x-canary"));

    Set<String> withHeader = new HashSet<>();
    Set<String> without = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      withHeader.add(
          Http.get(gateway, "/hello/a", "x-canary", "true")
              .headers()
              .firstValue("x-backend")
              .orElseThrow());
      without.add(Http.get(gateway, "/hello/a").headers().firstValue("x-backend").orElseThrow());
    }
    assertThat(withHeader).containsExactly("canary");
    assertThat(without).containsExactly("stable");
  }

  @Test
  void lbRoundRobinsOverTheRegisteredInstancesAndAnswers503WithoutOne() {
    registerHttp("web", stable, Map.of());
    registerHttp("web", canary, Map.of());
    start(
        Map.of(
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            "lb://web",
            "vireo.gateway.routes[1].path",
            "/empty/**",
            "vireo.gateway.routes[1].uri",
            "lb://nobody"));

    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 4; i++) {
      seen.add(Http.get(gateway, "/hello/a").headers().firstValue("x-backend").orElseThrow());
    }
    assertThat(seen).containsExactlyInAnyOrder("stable", "canary");
    HttpResponse<String> none = Http.get(gateway, "/empty/x");
    assertThat(none.statusCode()).isEqualTo(503);
    assertThat(none.body()).contains("\"code\":\"UNAVAILABLE\"").contains("no instance of nobody");
  }

  @Test
  void breakerOpensAndServesTheFallback() {
    start(
        Map.of(
            "vireo.gateway.routes[0].id",
            "flaky",
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            stable.uri(),
            "vireo.gateway.routes[0].retry.attempts",
            "0",
            "vireo.gateway.routes[0].circuit-breaker.window",
            "4",
            "vireo.gateway.routes[0].circuit-breaker.minimum-calls",
            "4",
            "vireo.gateway.routes[0].circuit-breaker.open-for",
            "1m",
            "vireo.gateway.routes[0].fallback.last-good",
            "true",
            "vireo.gateway.routes[0].fallback.body",
            "{\"message\":\"later\"}"));

    assertThat(Http.get(gateway, "/hello/cached").body()).isEqualTo("hello from stable");
    stable.failing.set(true);
    for (int i = 0; i < 4; i++) {
      Http.get(gateway, "/hello/other");
    }
    int hitsWhenOpen = stable.hits.get();
    HttpResponse<String> staticFallback = Http.get(gateway, "/hello/other");
    assertThat(staticFallback.statusCode()).isEqualTo(200);
    assertThat(staticFallback.body()).isEqualTo("{\"message\":\"later\"}");
    assertThat(staticFallback.headers().firstValue("x-vireo-fallback")).hasValue("static");
    HttpResponse<String> lastGood = Http.get(gateway, "/hello/cached");
    assertThat(lastGood.body()).isEqualTo("hello from stable");
    assertThat(lastGood.headers().firstValue("x-vireo-fallback")).hasValue("last-good");
    assertThat(stable.hits.get())
        .as("an open breaker sends nothing upstream")
        .isEqualTo(hitsWhenOpen);
  }

  @Test
  void answersCorsPreflightsAndMarksReplies() {
    start(
        Map.of(
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            stable.uri(),
            "vireo.gateway.cors.allowed-origins",
            "https://app.example.com"));

    HttpResponse<String> preflight =
        Http.send(
            Http.request(
                    gateway,
                    "/hello/x",
                    "origin",
                    "https://app.example.com",
                    "access-control-request-method",
                    "POST")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(preflight.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://app.example.com");
    assertThat(preflight.headers().firstValue("access-control-allow-methods"))
        .hasValueSatisfying(m -> assertThat(m).contains("POST"));
    HttpResponse<String> reply = Http.get(gateway, "/hello/x", "origin", "https://app.example.com");
    assertThat(reply.headers().firstValue("access-control-allow-origin"))
        .hasValue("https://app.example.com");
    HttpResponse<String> other =
        Http.get(gateway, "/hello/x", "origin", "https://evil.example.com");
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  @Test
  void staticTokenAuthGives401WithoutAndPassesTheTokenOn() {
    start(
        Map.of(
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            stable.uri(),
            "vireo.gateway.routes[0].auth.required",
            "true",
            "vireo.gateway.auth.static.alice.token",
            "s3cret-token-of-alice"));

    HttpResponse<String> without = Http.get(gateway, "/hello/x");
    assertThat(without.statusCode()).isEqualTo(401);
    assertThat(without.body()).contains("UNAUTHENTICATED");
    assertThat(Http.get(gateway, "/hello/x", "authorization", "Bearer wrong").statusCode())
        .isEqualTo(401);
    assertThat(
            Http.get(gateway, "/hello/x", "authorization", "Bearer s3cret-token-of-alice")
                .statusCode())
        .isEqualTo(200);
  }

  @Test
  void registersItselfAndServesMetricsPerRoute() {
    start(
        Map.of(
            "vireo.gateway.routes[0].id",
            "greet",
            "vireo.gateway.routes[0].path",
            "/hello/**",
            "vireo.gateway.routes[0].uri",
            stable.uri()));
    Http.get(gateway, "/hello/x");

    assertThat(registry.instances("gateway").block())
        .singleElement()
        .satisfies(instance -> assertThat(instance.port()).isEqualTo(gateway.port()))
        .satisfies(instance -> assertThat(instance.transport()).isEqualTo("http"));
    String metrics = Http.get(gateway, "/_gateway/metrics").body();
    assertThat(metrics)
        .contains(
            "vireo_gateway_requests_seconds_count{code=\"OK\",method=\"GET\",route=\"greet\",status=\"200\"} 1");
  }
}
