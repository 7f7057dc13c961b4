package io.vireo;

import java.time.Duration;
import java.util.function.Function;
import reactor.util.context.Context;

/**
 * Per-call options for client proxies, given through Reactor's context:
 *
 * <pre>{@code
 * greeter.sayHello(request)
 *     .contextWrite(CallOptions.timeout(Duration.ofMillis(200)))
 *     .contextWrite(CallOptions.header("x-tenant", "acme"));
 * }</pre>
 */
public final class CallOptions {
  static final String TIMEOUT_KEY = "vireo.call.timeout";
  static final String HEADERS_KEY = "vireo.call.headers";

  private CallOptions() {}

  /** The call's deadline, overriding {@code vireo.client.timeout}; for streams too. */
  public static Function<Context, Context> timeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
    }
    return context -> context.put(TIMEOUT_KEY, timeout);
  }

  /** A header to send with the call. */
  public static Function<Context, Context> header(String name, String value) {
    return context -> {
      Headers headers = context.<Headers>getOrEmpty(HEADERS_KEY).orElse(Headers.empty());
      return context.put(HEADERS_KEY, headers.with(name, value));
    };
  }

  /** The timeout in this context, if one was given. */
  public static java.util.Optional<Duration> timeout(reactor.util.context.ContextView context) {
    return context.getOrEmpty(TIMEOUT_KEY);
  }

  /** The headers in this context. */
  public static Headers headers(reactor.util.context.ContextView context) {
    return context.<Headers>getOrEmpty(HEADERS_KEY).orElse(Headers.empty());
  }
}
