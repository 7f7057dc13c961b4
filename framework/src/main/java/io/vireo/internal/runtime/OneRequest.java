package io.vireo.internal.runtime;

import org.jspecify.annotations.Nullable;
import reactor.core.Fuseable;
import reactor.core.publisher.Flux;

/**
 * The one request of a single-request call, read straight from the {@code Flux.just} the client
 * endpoint or the router wraps it in, so that the innermost pipeline need not {@code next()} and
 * {@code flatMap()} per call.
 */
final class OneRequest {
  private OneRequest() {}

  /**
   * The request, if {@code requests} is still a scalar (no wrapper replaced it); null otherwise,
   * and then the caller takes the general path, which also reports any error the source holds.
   */
  static @Nullable Object of(Flux<Object> requests) {
    if (requests instanceof Fuseable.ScalarCallable<?> scalar) {
      try {
        return scalar.call();
      } catch (Exception e) {
        return null;
      }
    }
    return null;
  }
}
