package io.vireo;

import java.time.Duration;
import java.util.Optional;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

/**
 * One call as wrappers and handlers see it: which service and endpoint, its kind, its headers and
 * its timeout.
 *
 * <p>On the server the current call rides in Reactor's {@code Context}; read it with {@link
 * #current()} or {@link #from(ContextView)}:
 *
 * <pre>{@code
 * public Mono<HelloReply> sayHello(HelloRequest request) {
 *   return Call.current().map(call -> reply(call.headers().get("x-tenant").orElse("none")));
 * }
 * }</pre>
 *
 * @param service the service's name in the registry ("greeter"); on the server, this service
 * @param route the endpoint's wire name
 * @param kind the call's shape
 * @param headers the headers on the wire (deadline and content type excepted)
 * @param timeout the time the caller gives the call; {@link Duration#ZERO} for none
 * @param idempotent whether the call may be repeated (the client retries such calls on UNAVAILABLE)
 */
public record Call(
    String service,
    Route route,
    CallKind kind,
    Headers headers,
    Duration timeout,
    boolean idempotent) {

  public Call {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 0)");
    }
  }

  /** The call being served, from the subscriber's context; empty outside a call. */
  public static Mono<Call> current() {
    return Mono.deferContextual(context -> Mono.justOrEmpty(from(context)));
  }

  /** The call in this context, if any. */
  public static Optional<Call> from(ContextView context) {
    return context.getOrEmpty(Call.class);
  }

  /** The {@link #timeout()}, if the caller gave one (empty for {@link Duration#ZERO}). */
  public Optional<Duration> timeoutIfSet() {
    return timeout.isZero() ? Optional.empty() : Optional.of(timeout);
  }

  public Call withHeader(String name, String value) {
    return new Call(service, route, kind, headers.with(name, value), timeout, idempotent);
  }

  public Call withHeaders(Headers headers) {
    return new Call(service, route, kind, headers, timeout, idempotent);
  }

  public Call withTimeout(Duration timeout) {
    return new Call(service, route, kind, headers, timeout, idempotent);
  }
}
