package io.vireo.gateway.console;

import io.vireo.gateway.Gateway;

/** The README's console snippet, compiled with the tests. */
final class ConsoleReadme {
  private ConsoleReadme() {}

  static Gateway start() {
    Gateway gateway =
        Gateway.builder()
            .set("vireo.gateway.discovery.enabled", "true")
            .set("vireo.gateway.console.enabled", "true")
            .build()
            .start();
    return gateway;
  }
}
