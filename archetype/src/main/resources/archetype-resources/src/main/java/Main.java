package ${package};

import ${package}.api.Greeter;
import io.vireo.Service;

/** Registers as "${artifactId}" and serves until SIGTERM; settings come from vireo.yaml, VIREO_* and -Dvireo.*. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    Service.builder("${artifactId}")
        .handle(Greeter.class, new GreeterImpl())
        .build()
        .run();
  }
}
