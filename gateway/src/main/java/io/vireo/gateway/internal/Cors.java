package io.vireo.gateway.internal;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vireo.Status;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import reactor.core.publisher.Mono;

/**
 * CORS ({@code cors.allowed-origins}, {@code cors.allowed-methods}, {@code cors.allowed-headers},
 * {@code cors.exposed-headers}, {@code cors.allow-credentials}, {@code cors.max-age}): answers
 * preflights itself and marks the replies of allowed origins.
 */
final class Cors implements Step {
  private final List<String> origins;
  private final String methods;
  private final String headers;
  private final String exposed;
  private final boolean credentials;
  private final String maxAge;

  Cors(Policy policy) {
    this.origins = split(policy.get("cors.allowed-origins").orElse("*"));
    this.methods = policy.get("cors.allowed-methods").orElse("GET,POST,PUT,PATCH,DELETE,OPTIONS");
    this.headers = policy.get("cors.allowed-headers").orElse("*");
    this.exposed =
        policy
            .get("cors.exposed-headers")
            .orElse("x-request-id,traceparent,retry-after,x-ratelimit-limit,x-ratelimit-remaining");
    this.credentials = policy.bool("cors.allow-credentials", false);
    this.maxAge =
        Long.toString(policy.duration("cors.max-age").orElse(Duration.ofMinutes(30)).toSeconds());
  }

  @Override
  public Mono<Reply> apply(Exchange exchange, Handler next) {
    String origin = exchange.header("origin").orElse("");
    if (origin.isEmpty()) {
      return next.handle(exchange);
    }
    boolean allowed = origins.contains("*") || origins.contains(origin.toLowerCase(Locale.ROOT));
    if (exchange.method().equals(HttpMethod.OPTIONS)
        && exchange.header("access-control-request-method").isPresent()) {
      if (!allowed) {
        return Mono.just(
            HttpErrors.reply(
                Status.PERMISSION_DENIED,
                "origin " + origin + " is not allowed (cors.allowed-origins)"));
      }
      Reply preflight = Reply.empty(HttpResponseStatus.NO_CONTENT);
      mark(preflight.headers(), origin);
      preflight.headers().set("access-control-allow-methods", methods);
      preflight
          .headers()
          .set(
              "access-control-allow-headers",
              headers.equals("*")
                  ? exchange.header("access-control-request-headers").orElse("*")
                  : headers);
      preflight.headers().set("access-control-max-age", maxAge);
      return Mono.just(preflight);
    }
    return next.handle(exchange)
        .doOnNext(
            reply -> {
              if (allowed) {
                mark(reply.headers(), origin);
                reply.headers().set("access-control-expose-headers", exposed);
              }
            });
  }

  private void mark(HttpHeaders out, String origin) {
    out.set("access-control-allow-origin", origins.contains("*") && !credentials ? "*" : origin);
    out.add("vary", "Origin");
    if (credentials) {
      out.set("access-control-allow-credentials", "true");
    }
  }

  private static List<String> split(String text) {
    return Arrays.stream(text.split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty())
        .toList();
  }
}
