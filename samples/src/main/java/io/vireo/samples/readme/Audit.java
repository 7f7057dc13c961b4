package io.vireo.samples.readme;

import io.vireo.samples.greeter.proto.UserCreated;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/** Records user events; the event is acknowledged when the returned Mono completes. */
public final class Audit {
  private static final Logger log = LoggerFactory.getLogger(Audit.class);

  public Mono<Void> record(UserCreated event) {
    return Mono.fromRunnable(() -> log.info("user created: {}", event.getName()));
  }
}
