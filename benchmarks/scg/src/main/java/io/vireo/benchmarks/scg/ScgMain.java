package io.vireo.benchmarks.scg;

import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Spring Cloud Gateway with one route, {@code /** -> http://127.0.0.1:<backend>}, on
 * {@code server.port}: {@code java -cp ... ScgMain --server.port=P --backend=http://127.0.0.1:B}.
 */
@SpringBootApplication
public class ScgMain {
  public static void main(String[] args) {
    String backend = "http://127.0.0.1:8081";
    for (String arg : args) {
      if (arg.startsWith("--backend=")) {
        backend = arg.substring("--backend=".length());
      }
    }
    SpringApplication app = new SpringApplication(ScgMain.class);
    app.setDefaultProperties(Map.of(
        "spring.cloud.gateway.server.webflux.routes[0].id", "backend",
        "spring.cloud.gateway.server.webflux.routes[0].uri", backend,
        "spring.cloud.gateway.server.webflux.routes[0].predicates[0]", "Path=/**",
        "logging.level.root", "WARN",
        "spring.main.banner-mode", "off"));
    app.run(args);
    System.out.println("READY");
  }
}
