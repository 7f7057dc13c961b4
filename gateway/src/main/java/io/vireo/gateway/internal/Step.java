package io.vireo.gateway.internal;

import java.util.List;
import reactor.core.publisher.Mono;

/** One filter of a chain: it may answer by itself, or call {@code next} and look at the reply. */
@FunctionalInterface
public interface Step {
  Mono<Reply> apply(Exchange exchange, Handler next);

  /**
   * Whether this step's reply can fail only by a throw in {@code apply}: it answers by itself or
   * passes {@code next}'s (already guarded) reply on, so that an error guard around it would be one
   * more operator per request for nothing.
   */
  default boolean failsOnlyByThrowing() {
    return false;
  }

  /**
   * {@code steps} around {@code terminal}, the first outermost. Every error becomes its error reply
   * on the way out, so that each filter sees a reply (breakers count it, logs show it).
   */
  static Handler chain(List<Step> steps, Handler terminal) {
    Handler handler = guarded(terminal);
    for (int i = steps.size() - 1; i >= 0; i--) {
      Step step = steps.get(i);
      Handler next = handler;
      handler =
          step.failsOnlyByThrowing()
              ? caught(exchange -> step.apply(exchange, next))
              : guarded(exchange -> step.apply(exchange, next));
    }
    return handler;
  }

  private static Handler guarded(Handler handler) {
    Handler caught = caught(handler);
    return exchange -> caught.handle(exchange).onErrorResume(e -> Mono.just(HttpErrors.reply(e)));
  }

  /** A throw in {@code handler} as its error reply. */
  private static Handler caught(Handler handler) {
    return exchange -> {
      try {
        return handler.handle(exchange);
      } catch (RuntimeException e) {
        return Mono.just(HttpErrors.reply(e));
      }
    };
  }
}
