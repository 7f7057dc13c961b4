package io.vireo.gateway.internal;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Values;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;

/**
 * The call's deadline: the caller's {@code X-Request-Timeout} (a duration such as {@code 500ms}) or
 * {@code grpc-timeout} ({@code 100m}, {@code 2S}), capped by the route's {@code timeout}. It
 * becomes the RPC's deadline, the HTTP upstream's response timeout, and a 504 when it passes before
 * the reply's headers.
 */
final class Timeouts implements Step {
  private final Optional<Duration> routeTimeout;

  Timeouts(Policy policy) {
    this.routeTimeout = policy.duration("timeout");
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    Optional<Duration> asked;
    try {
      asked = asked(exchange);
    } catch (IllegalArgumentException e) {
      return Mono.just(HttpErrors.reply(Status.INVALID_ARGUMENT, e.getMessage()));
    }
    Optional<Duration> timeout =
        asked
            .map(a -> routeTimeout.filter(r -> r.compareTo(a) < 0).orElse(a))
            .or(() -> routeTimeout);
    if (timeout.isEmpty() || timeout.get().isZero()) {
      return next.handle(exchange);
    }
    exchange.timeout(timeout.get());
    return next.handle(exchange)
        .timeout(
            timeout.get(),
            Mono.error(
                () ->
                    new VireoException(
                        Status.DEADLINE_EXCEEDED,
                        "no reply within " + timeout.get().toMillis() + " ms")));
  }

  static Optional<Duration> asked(Exchange exchange) {
    Optional<String> header = exchange.header("x-request-timeout");
    if (header.isPresent()) {
      return Optional.of(Values.parseDuration("X-Request-Timeout", header.get().trim()));
    }
    return exchange.header("grpc-timeout").map(Timeouts::grpcTimeout);
  }

  /** gRPC's {@code grpc-timeout}: up to 8 digits and a unit H, M, S, m, u or n. */
  static Duration grpcTimeout(String text) {
    String value = text.trim();
    if (value.length() < 2 || value.length() > 9) {
      throw new IllegalArgumentException(
          "grpc-timeout: '" + text + "' (expected: digits and a unit H, M, S, m, u or n)");
    }
    long amount;
    try {
      amount = Long.parseLong(value.substring(0, value.length() - 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "grpc-timeout: '" + text + "' (expected: digits and a unit H, M, S, m, u or n)", e);
    }
    return switch (value.charAt(value.length() - 1)) {
      case 'H' -> Duration.ofHours(amount);
      case 'M' -> Duration.ofMinutes(amount);
      case 'S' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMillis(amount);
      case 'u' -> Duration.ofNanos(amount * 1000);
      case 'n' -> Duration.ofNanos(amount);
      default ->
          throw new IllegalArgumentException(
              "grpc-timeout: '" + text + "' (expected: digits and a unit H, M, S, m, u or n)");
    };
  }

  static boolean isTimeout(Throwable error) {
    return error instanceof TimeoutException;
  }
}
