package io.vireo.samples.readme;

import io.vireo.Service;
import io.vireo.samples.greeter.GreeterImpl;
import io.vireo.samples.greeter.proto.Greeter;
import io.vireo.samples.greeter.proto.UserCreated;

/** The README's five-line service, kept here so that it compiles with every build. */
public final class GreeterMain {
  private GreeterMain() {}

  public static void main(String[] args) {
    Audit audit = new Audit();
    Service.builder("greeter") // name in the registry
        .handle(Greeter.class, new GreeterImpl("main")) // Mono/Flux methods
        .subscribe("user.created", UserCreated.class, e -> audit.record(e))
        .build()
        .run(); // blocks; SIGTERM = graceful stop
  }
}
