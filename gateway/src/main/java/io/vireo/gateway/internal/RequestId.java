package io.vireo.gateway.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import reactor.core.publisher.Mono;

/**
 * {@code X-Request-Id}: the caller's (when it sends a sane one) or a new one, sent upstream and
 * back (the reply's header is added as the reply is written, from {@link Exchange#requestId()}).
 */
final class RequestId implements Step {
  static final String HEADER = "x-request-id";

  @Override
  public boolean failsOnlyByThrowing() {
    return true;
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    String id = exchange.header(HEADER).filter(RequestId::sane).orElseGet(RequestId::newId);
    exchange.requestId(id);
    exchange.headers().set(HEADER, id);
    // the reply gets it from the exchange as it is written (Front), not from an operator here
    return next.handle(exchange);
  }

  private static boolean sane(String id) {
    return !id.isEmpty() && id.length() <= 128 && id.chars().allMatch(c -> c > ' ' && c < 127);
  }

  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }
}
