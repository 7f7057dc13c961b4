package io.vireo.transport.grpc;

import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.vireo.Headers;

/**
 * Takes a request's {@code grpc-timeout} out of grpc-java's hands on a Vireo server: the value
 * becomes the call's {@link Headers#TIMEOUT} (milliseconds, rounded up, at least 1), which the
 * router enforces with its own deadline, as on every transport.
 *
 * <p>Left to grpc-java, every call with a deadline would also get a cancellable {@code Context} and
 * a timer on the connection's event loop, armed and cancelled per call, doing what the router
 * already does. A stream tracer factory is the one place that sees the headers before grpc-java
 * reads the deadline, and grpc-java lets it change them there. A {@code grpc-timeout} that is not a
 * valid value is left in place, for grpc-java to refuse as before.
 */
final class DeadlineHeader extends ServerStreamTracer.Factory {
  private static final Metadata.Key<String> TIMEOUT =
      Metadata.Key.of(Headers.TIMEOUT, Metadata.ASCII_STRING_MARSHALLER);

  /** Stateless: one for every call. */
  private static final ServerStreamTracer NONE = new ServerStreamTracer() {};

  @Override
  public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
    String value = headers.get(Wire.GRPC_TIMEOUT);
    if (value != null) {
      long millis = millis(value);
      if (millis > 0) {
        headers.discardAll(Wire.GRPC_TIMEOUT);
        headers.discardAll(TIMEOUT);
        headers.put(TIMEOUT, Long.toString(millis));
      }
    }
    return NONE;
  }

  /**
   * A {@code grpc-timeout} value (1 to 8 digits and a unit: H, M, S, m, u, n) in milliseconds,
   * rounded up, at least 1; 0 when it is not such a value.
   */
  static long millis(String value) {
    int digits = value.length() - 1;
    if (digits < 1 || digits > 8) {
      return 0;
    }
    long amount = 0;
    for (int i = 0; i < digits; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return 0;
      }
      amount = amount * 10 + (c - '0');
    }
    long millis =
        switch (value.charAt(digits)) {
          case 'H' -> amount * 3_600_000L;
          case 'M' -> amount * 60_000L;
          case 'S' -> amount * 1_000L;
          case 'm' -> amount;
          case 'u' -> (amount + 999) / 1_000;
          case 'n' -> (amount + 999_999) / 1_000_000;
          default -> -1;
        };
    return millis < 0 ? 0 : Math.max(1, millis);
  }
}
