package io.vireo;

import io.vireo.selector.Filter;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Per-call options for client proxies and generic clients, given through Reactor's context:
 *
 * <pre>{@code
 * greeter.sayHello(request)
 *     .contextWrite(CallOptions.timeout(Duration.ofMillis(200)))
 *     .contextWrite(CallOptions.header("x-tenant", "acme"))
 *     .contextWrite(CallOptions.instance("greeter-1a2b3c4d")); // this instance, no other
 * }</pre>
 */
public final class CallOptions {
  static final String TIMEOUT_KEY = "vireo.call.timeout";
  static final String HEADERS_KEY = "vireo.call.headers";
  static final String INSTANCE_KEY = "vireo.call.instance";
  static final String FILTER_KEY = "vireo.call.filter";
  static final String IDEMPOTENT_KEY = "vireo.call.idempotent";

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

  /**
   * Sends the call to this one registered instance (its {@link
   * io.vireo.registry.ServiceInstance#id()}), past the filters and the selector. UNAVAILABLE,
   * naming the ids that are registered, if it is not.
   */
  public static Function<Context, Context> instance(String instanceId) {
    if (instanceId.isEmpty()) {
      throw new IllegalArgumentException(
          "instanceId: empty (expected: an instance id, such as greeter-1a2b3c4d)");
    }
    return context -> context.put(INSTANCE_KEY, instanceId);
  }

  /**
   * One more instance filter for this call, after the configured ones (a canary route, a zone);
   * given twice, both apply.
   */
  public static Function<Context, Context> filter(Filter filter) {
    return context ->
        context.put(
            FILTER_KEY,
            context.<Filter>getOrEmpty(FILTER_KEY).map(f -> f.and(filter)).orElse(filter));
  }

  /**
   * Whether the call may be repeated: the client retries idempotent calls on UNAVAILABLE. Typed
   * proxies default to the method's {@link Idempotent}; generic calls to {@code false}.
   */
  public static Function<Context, Context> idempotent(boolean idempotent) {
    return context -> context.put(IDEMPOTENT_KEY, idempotent);
  }

  /** The instance this call is pinned to, if any. */
  public static Optional<String> instance(ContextView context) {
    return context.getOrEmpty(INSTANCE_KEY);
  }

  /** The per-call filter, if any. */
  public static Optional<Filter> filter(ContextView context) {
    return context.getOrEmpty(FILTER_KEY);
  }

  /** Whether the call was declared idempotent (or not) for this call. */
  public static Optional<Boolean> idempotent(ContextView context) {
    return context.getOrEmpty(IDEMPOTENT_KEY);
  }

  /** The timeout in this context, if one was given. */
  public static Optional<Duration> timeout(ContextView context) {
    return context.getOrEmpty(TIMEOUT_KEY);
  }

  /** The headers in this context. */
  public static Headers headers(ContextView context) {
    return context.<Headers>getOrEmpty(HEADERS_KEY).orElse(Headers.empty());
  }
}
