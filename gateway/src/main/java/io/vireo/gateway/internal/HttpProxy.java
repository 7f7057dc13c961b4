package io.vireo.gateway.internal;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.ReadTimeoutException;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.registry.ServiceInstance;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;

/**
 * Forwards to a plain HTTP upstream (a fixed URI, or an instance of a registry service for {@code
 * lb://}), streaming both bodies. Idempotent methods are retried on another instance when the
 * connection fails or the upstream answers 503 ({@code retry.attempts}, default 1).
 */
public final class HttpProxy {
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "host",
          "proxy-connection");
  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(
          HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS);

  private static final long MAX_BACKOFF_MS = 10_000;

  private final UpstreamClients clients;
  private final Instances instances;

  public HttpProxy(UpstreamClients clients, Instances instances) {
    this.clients = clients;
    this.instances = instances;
  }

  Handler handler(RouteDef route, RouteDef.Upstream upstream) {
    int attempts = route.policy().integer("retry.attempts", 1);
    Duration backoff = route.policy().duration("retry.backoff").orElse(Duration.ofMillis(20));
    return exchange -> {
      boolean retryable =
          IDEMPOTENT.contains(exchange.method())
              && attempts > 0
              && exchange.headers().getInt(HttpHeaderNames.CONTENT_LENGTH, 0) == 0
              && !exchange.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
      Mono<Reply> once = Mono.defer(() -> forward(exchange, route, upstream));
      if (!retryable) {
        return once;
      }
      Mono<Reply> checked =
          once.flatMap(reply -> reply.status().code() == 503 ? release(reply) : Mono.just(reply));
      return retried(checked, attempts, backoff, 0)
          .onErrorResume(Retry503.class, e -> Mono.just(e.reply));
    };
  }

  /**
   * {@code attempt}, tried again up to {@code left} more times on a failure worth it, after an
   * exponential backoff with jitter. Built as nested {@code onErrorResume}s, made only when a try
   * fails, rather than a {@code retryWhen}, whose companion publisher is made for every request.
   */
  private static Mono<Reply> retried(Mono<Reply> attempt, int left, Duration backoff, int done) {
    if (left == 0) {
      return attempt;
    }
    return attempt.onErrorResume(
        HttpProxy::worthRetry,
        e -> Mono.delay(delay(backoff, done)).then(retried(attempt, left - 1, backoff, done + 1)));
  }

  /** {@code backoff} doubled {@code done} times (at most 10 s), give or take half of it. */
  static Duration delay(Duration backoff, int done) {
    long base = Math.min(MAX_BACKOFF_MS, backoff.toMillis() << Math.min(done, 20));
    long jitter = base / 2;
    return Duration.ofMillis(base - jitter + ThreadLocalRandom.current().nextLong(2 * jitter + 1));
  }

  private static Mono<Reply> release(Reply reply) {
    if (reply.body() instanceof Reply.Stream stream) {
      return stream
          .content()
          .doOnNext(buf -> buf.release())
          .then(Mono.error(new Retry503(reply.withBody(new Reply.Empty()))));
    }
    return Mono.error(new Retry503(reply));
  }

  private static boolean worthRetry(Throwable error) {
    return error instanceof Retry503
        || error instanceof VireoException vireo && vireo.status() == Status.UNAVAILABLE
        || error instanceof PrematureCloseException;
  }

  private Mono<Reply> forward(Exchange exchange, RouteDef route, RouteDef.Upstream upstream) {
    Mono<URI> base =
        upstream
            .base()
            .map(Mono::just)
            .orElseGet(
                () ->
                    instances
                        .pick(
                            upstream.service().orElseThrow(),
                            exchange.instanceFilter().orElse(i -> true))
                        .map(
                            instance ->
                                URI.create(upstream.scheme() + "://" + instance.address())));
    return base.flatMap(
        uri -> {
          String path = route.forwardPath(exchange.path());
          String basePath =
              uri.getRawPath() == null || uri.getRawPath().equals("/")
                  ? ""
                  : trimSlash(uri.getRawPath());
          String target =
              uri.getScheme()
                  + "://"
                  + uri.getRawAuthority()
                  + basePath
                  + path
                  + (exchange.rawQuery().isEmpty() ? "" : "?" + exchange.rawQuery());
          HttpClient configured =
              clients.current().headers(out -> copyRequestHeaders(exchange, out));
          if (exchange.timeout().isPresent()) {
            configured = configured.responseTimeout(exchange.timeout().get());
          }
          return configured
              .request(exchange.method())
              .uri(target)
              .send((request, outbound) -> outbound.send(exchange.rawBody()))
              .responseConnection(
                  (response, connection) -> {
                    HttpHeaders headers = new DefaultHttpHeaders();
                    response
                        .responseHeaders()
                        .forEach(
                            entry -> {
                              if (!HOP_BY_HOP.contains(entry.getKey().toLowerCase(Locale.ROOT))) {
                                headers.add(entry.getKey(), entry.getValue());
                              }
                            });
                    Reply reply =
                        Reply.of(
                            HttpResponseStatus.valueOf(response.status().code()),
                            headers,
                            new Reply.Stream(
                                connection.inbound().receive().retain(), Optional.empty(), false));
                    return Mono.just(reply);
                  })
              .next()
              .onErrorMap(e -> !(e instanceof VireoException), e -> connectError(uri, e));
        });
  }

  private static String trimSlash(String path) {
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static Throwable connectError(URI uri, Throwable e) {
    if (e instanceof ReadTimeoutException || e instanceof TimeoutException) {
      return new VireoException(
          Status.DEADLINE_EXCEEDED, "upstream " + uri + " did not answer in time", e);
    }
    if (e instanceof PrematureCloseException) {
      return e;
    }
    return new VireoException(Status.UNAVAILABLE, "upstream " + uri + ": " + e.getMessage(), e);
  }

  private static void copyRequestHeaders(Exchange exchange, HttpHeaders out) {
    for (Map.Entry<String, String> entry : exchange.headers()) {
      if (!HOP_BY_HOP.contains(entry.getKey().toLowerCase(Locale.ROOT))) {
        out.add(entry.getKey(), entry.getValue());
      }
    }
    String forwarded = exchange.headers().get("x-forwarded-for");
    InetSocketAddress remote = exchange.request().remoteAddress();
    String peer =
        remote == null || remote.getAddress() == null
            ? "unknown"
            : remote.getAddress().getHostAddress();
    out.set("x-forwarded-for", forwarded == null ? peer : forwarded + ", " + peer);
    out.set("x-forwarded-proto", exchange.request().scheme());
    String host = exchange.headers().get(HttpHeaderNames.HOST);
    if (host != null) {
      out.set("x-forwarded-host", host);
    }
  }

  /**
   * An upstream's 503 on an idempotent request: tried again, and given back as it was if all tries
   * fail.
   */
  private static final class Retry503 extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Reply reply;

    Retry503(Reply reply) {
      super("upstream answered 503", null, false, false);
      this.reply = reply;
    }
  }

  /** The instances of registry services, kept up to date by watching the registry. */
  public interface Instances {
    /**
     * One instance of {@code service} that {@code filter} keeps (round-robin); UNAVAILABLE when
     * none.
     */
    Mono<ServiceInstance> pick(String service, Predicate<ServiceInstance> filter);

    /** The instances now. */
    List<ServiceInstance> current(String service);
  }
}
