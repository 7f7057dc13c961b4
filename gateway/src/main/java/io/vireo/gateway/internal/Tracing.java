package io.vireo.gateway.internal;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * W3C trace context: an incoming {@code traceparent} keeps its trace id and gets the gateway's span
 * id; without one the gateway starts a trace. The result goes upstream and back to the caller.
 */
final class Tracing implements Step {
  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final String ZERO_TRACE = "0".repeat(32);

  @Override
  public boolean failsOnlyByThrowing() {
    return true;
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    String incoming = exchange.header("traceparent").orElse(null);
    Matcher matcher = incoming == null ? null : TRACEPARENT.matcher(incoming);
    String traceparent =
        matcher != null && matcher.matches() && !matcher.group(1).equals(ZERO_TRACE)
            ? "00-" + matcher.group(1) + "-" + hex(16) + "-" + matcher.group(3)
            : "00-" + hex(32) + "-" + hex(16) + "-01";
    exchange.traceparent(traceparent);
    exchange.headers().set("traceparent", traceparent);
    // the reply gets it from the exchange as it is written (Front), not from an operator here
    return next.handle(exchange);
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** Random lowercase hex digits, never all zero (the first is never 0). */
  private static String hex(int digits) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] out = new char[digits];
    long bits = 0;
    for (int i = 0; i < digits; i++) {
      if (i % 16 == 0) {
        bits = random.nextLong();
      }
      out[i] = HEX[(int) (bits & 15)];
      bits >>>= 4;
    }
    if (out[0] == '0') {
      out[0] = HEX[1 + random.nextInt(15)];
    }
    return new String(out);
  }
}
