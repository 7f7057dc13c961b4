package io.vireo.gateway.internal;

import reactor.core.publisher.Mono;

/**
 * {@code max-body-size}: larger bodies get {@code 413}, before they are read when Content-Length
 * says so.
 */
final class SizeLimit implements Step {
  /** Default {@code vireo.gateway.max-body-size}: 4 MB. */
  static final long DEFAULT_MAX_BODY_SIZE = 4L * 1024 * 1024;

  private final long limit;

  SizeLimit(Policy policy) {
    this.limit = policy.size("max-body-size", DEFAULT_MAX_BODY_SIZE);
  }

  @Override
  public boolean failsOnlyByThrowing() {
    return true;
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    exchange.maxBodySize(limit);
    return exchange
        .declaredTooLarge()
        .map(e -> Mono.just(HttpErrors.reply(e)))
        .orElseGet(() -> next.handle(exchange));
  }
}
