package io.vireo.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.registry.memory.MemoryRegistry;
import org.junit.jupiter.api.Test;

/** The README's embedding snippet, compiled and run. */
class ReadmeExampleTest {
  @Test
  void embedsAGateway() {
    try (Backend legacy = new Backend("legacy")) {
      String legacyUri = legacy.uri();
      // README snippet starts
      Gateway gateway =
          Gateway.builder()
              .registry(MemoryRegistry.newStore()) // or vireo.registry=zookeeper ...
              .port(0) // vireo.gateway.port, default 8080
              .set(
                  "vireo.gateway.discovery.enabled",
                  "true") // POST /<service>/<Method> for every service
              .set("vireo.gateway.routes[0].id", "legacy")
              .set("vireo.gateway.routes[0].path", "/legacy/**")
              .set("vireo.gateway.routes[0].uri", legacyUri) // or lb://<service>
              .set("vireo.gateway.routes[0].strip-prefix", "1")
              .set("vireo.gateway.routes[0].rate-limit.rate", "100")
              .build()
              .start();
      // ...
      // README snippet ends
      try {
        assertThat(Http.get(gateway, "/legacy/hello/x").body()).isEqualTo("hello from legacy");
      } finally {
        gateway.stop();
      }
    }
  }
}
