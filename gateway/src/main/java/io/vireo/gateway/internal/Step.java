package io.vireo.gateway.internal;

import java.util.List;
import reactor.core.publisher.Mono;

/** One filter of a chain: it may answer by itself, or call {@code next} and look at the reply. */
@FunctionalInterface
public interface Step {
  Mono<Reply> apply(Exchange exchange, Handler next);

  /**
   * {@code steps} around {@code terminal}, the first outermost. Every error becomes its error reply
   * on the way out, so that each filter sees a reply (breakers count it, logs show it).
   */
  static Handler chain(List<Step> steps, Handler terminal) {
    Handler handler = guarded(terminal);
    for (int i = steps.size() - 1; i >= 0; i--) {
      Step step = steps.get(i);
      Handler next = handler;
      handler = guarded(exchange -> step.apply(exchange, next));
    }
    return handler;
  }

  private static Handler guarded(Handler handler) {
    return exchange -> {
      Mono<Reply> reply;
      try {
        reply = handler.handle(exchange);
      } catch (RuntimeException e) {
        reply = Mono.error(e);
      }
      return reply.onErrorResume(e -> Mono.just(HttpErrors.reply(e)));
    };
  }
}
