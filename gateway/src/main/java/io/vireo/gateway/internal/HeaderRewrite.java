package io.vireo.gateway.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Header rewriting: {@code request-headers.set.<name>}, {@code request-headers.remove} (a list),
 * and the same under {@code response-headers}.
 */
final class HeaderRewrite implements Step {
  private final Map<String, String> setRequest;
  private final List<String> removeRequest;
  private final Map<String, String> setResponse;
  private final List<String> removeResponse;

  HeaderRewrite(Policy policy) {
    this.setRequest = policy.subset("request-headers.set");
    this.removeRequest = list(policy.get("request-headers.remove").orElse(""));
    this.setResponse = policy.subset("response-headers.set");
    this.removeResponse = list(policy.get("response-headers.remove").orElse(""));
  }

  static boolean configured(Policy policy) {
    return policy.has("request-headers") || policy.has("response-headers");
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    removeRequest.forEach(exchange.headers()::remove);
    setRequest.forEach(exchange.headers()::set);
    return next.handle(exchange)
        .doOnNext(
            reply -> {
              removeResponse.forEach(reply.headers()::remove);
              setResponse.forEach(reply.headers()::set);
            });
  }

  private static List<String> list(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
