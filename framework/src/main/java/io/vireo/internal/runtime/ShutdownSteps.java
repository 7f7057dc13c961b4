package io.vireo.internal.runtime;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The steps of a service's stop: each bounded, each failure logged and passed, so that the next
 * step runs.
 */
final class ShutdownSteps {
  // the service's log category, as before the split: users' logging settings name it
  private static final Logger log = LoggerFactory.getLogger(ServiceRuntime.class);

  private final String service;

  ShutdownSteps(String service) {
    this.service = service;
  }

  void run(String what, Mono<Void> step, Duration timeout) {
    try {
      step.block(timeout);
    } catch (RuntimeException e) {
      log.warn("{}: {} failed: {}", service, what, e.toString());
    }
  }
}
