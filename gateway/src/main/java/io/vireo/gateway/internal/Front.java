package io.vireo.gateway.internal;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.vireo.Status;
import io.vireo.config.Config;
import java.io.File;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.Http2SslContextSpec;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.http.server.WebsocketServerSpec;
import reactor.netty.resources.LoopResources;

/**
 * The gateway's HTTP server on reactor-netty: HTTP/1.1 and h2c on a plain port, or HTTP/1.1 and
 * HTTP/2 by ALPN with TLS ({@code vireo.gateway.tls.cert-chain} and {@code .private-key}); every
 * request goes to the {@link Routing}, except the gateway's own {@code /_gateway/health} and {@code
 * /_gateway/metrics}.
 */
public final class Front {
  private static final Logger log = LoggerFactory.getLogger(Front.class);

  /** {@code vireo.gateway.port}. */
  public static final int DEFAULT_PORT = 8080;

  /** {@code vireo.gateway.websocket.max-frame-size}. */
  static final int DEFAULT_MAX_FRAME = 1024 * 1024;

  private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

  private final Routing routing;
  private final PrometheusMeterRegistry meters;
  private final String adminPath;
  private final String adminPrefix;
  private final int maxFrame;
  private DisposableServer server;
  private boolean tls;

  public Front(Routing routing, PrometheusMeterRegistry meters, Config config) {
    this.routing = routing;
    this.meters = meters;
    this.adminPath = config.get("vireo.gateway.admin-path", "/_gateway");
    this.adminPrefix = adminPath + "/";
    this.maxFrame =
        (int)
            Policy.parseSize(
                "vireo.gateway.websocket.max-frame-size",
                config.get(
                    "vireo.gateway.websocket.max-frame-size", Integer.toString(DEFAULT_MAX_FRAME)));
  }

  public InetSocketAddress bind(Config config, LoopResources loops, Duration timeout) {
    String host = config.get("vireo.gateway.host", "0.0.0.0");
    int port = config.getInt("vireo.gateway.port", DEFAULT_PORT);
    HttpServer http = HttpServer.create().runOn(loops).host(host).port(port).handle(this::handle);
    Duration idle = config.getDuration("vireo.gateway.idle-timeout", Duration.ofSeconds(60));
    if (idle.isNegative()) {
      throw new IllegalArgumentException(
          "vireo.gateway.idle-timeout: "
              + idle
              + " (expected: a duration such as 60s, or 0 for none)");
    }
    if (!idle.isZero()) {
      // one handler for the connection's life: reactor-netty's own idleTimeout takes its handler
      // out of the pipeline and puts it back on every request (a pipeline change and a timer each)
      http =
          http.doOnChannelInit(
              (observer, channel, remote) ->
                  channel.pipeline().addFirst(IdleClose.NAME, new IdleClose(idle)));
    }
    Optional<String> cert = config.get("vireo.gateway.tls.cert-chain");
    Optional<String> key = config.get("vireo.gateway.tls.private-key");
    if (cert.isPresent() != key.isPresent()) {
      throw new IllegalArgumentException(
          "vireo.gateway.tls: cert-chain and private-key go together (expected: both PEM files or neither)");
    }
    List<HttpProtocol> protocols = protocols(config, cert.isPresent());
    if (cert.isPresent()) {
      Http2SslContextSpec spec =
          Http2SslContextSpec.forServer(new File(cert.get()), new File(key.get()));
      http = http.secure(ssl -> ssl.sslContext(spec));
      tls = true;
    }
    http = http.protocol(protocols.toArray(HttpProtocol[]::new));
    server = http.bindNow(timeout);
    InetSocketAddress address = (InetSocketAddress) server.address();
    log.info(
        "gateway listening on {}://{}:{} ({})",
        tls ? "https" : "http",
        address.getHostString(),
        address.getPort(),
        protocols);
    return address;
  }

  public boolean tls() {
    return tls;
  }

  private static List<HttpProtocol> protocols(Config config, boolean tls) {
    List<HttpProtocol> protocols = new ArrayList<>();
    for (String name :
        config.get("vireo.gateway.protocols", tls ? "http11,h2" : "http11,h2c").split(",")) {
      switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "http11", "http/1.1" -> protocols.add(HttpProtocol.HTTP11);
        case "h2c" -> {
          if (tls) {
            throw new IllegalArgumentException(
                "vireo.gateway.protocols: h2c with TLS (expected: h2)");
          }
          protocols.add(HttpProtocol.H2C);
        }
        case "h2" -> {
          if (!tls) {
            throw new IllegalArgumentException(
                "vireo.gateway.protocols: h2 without TLS (expected: h2c, or set vireo.gateway.tls.*)");
          }
          protocols.add(HttpProtocol.H2);
        }
        case "" -> {}
        default ->
            throw new IllegalArgumentException(
                "vireo.gateway.protocols: '" + name + "' (expected: http11, h2c or h2)");
      }
    }
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException(
          "vireo.gateway.protocols: empty (expected: http11, h2c or h2)");
    }
    return protocols;
  }

  private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
    if (request.method().equals(HttpMethod.GET) && mayBeAdmin(request.uri())) {
      String path = request.fullPath();
      if (path.startsWith(adminPrefix)) {
        return admin(path.substring(adminPath.length()), response);
      }
    }
    Exchange exchange = new Exchange(request, SizeLimit.DEFAULT_MAX_BODY_SIZE);
    Mono<Reply> reply;
    try {
      reply = routing.handle(exchange);
    } catch (RuntimeException e) {
      reply = Mono.error(e);
    }
    return reply
        .onErrorResume(e -> Mono.just(HttpErrors.reply(e)))
        .flatMap(r -> write(r, exchange, response));
  }

  /**
   * Whether the request's path may be one of the gateway's own: {@code fullPath()} parses the URI
   * (2.6% of the gateway's CPU when it was asked for every request), so only these ask it.
   */
  private boolean mayBeAdmin(String uri) {
    return !uri.startsWith("/") || uri.startsWith(adminPrefix) || uri.indexOf('%') >= 0;
  }

  private Mono<Void> admin(String what, HttpServerResponse response) {
    return switch (what) {
      case "/health" ->
          response
              .header(HttpHeaderNames.CONTENT_TYPE, Reply.JSON)
              .sendString(Mono.just("{\"status\":\"UP\"}"))
              .then();
      case "/metrics" ->
          response
              .header(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")
              .sendString(Mono.fromCallable(meters::scrape))
              .then();
      default ->
          write(
              HttpErrors.reply(Status.NOT_FOUND, "no such gateway endpoint: " + what),
              null,
              response);
    };
  }

  /**
   * Sends {@code reply}, with the request id and trace context of {@code exchange} (when there is
   * one) added last: the filters that made them set them here rather than each with an operator on
   * the reply.
   */
  private Mono<Void> write(Reply reply, Exchange exchange, HttpServerResponse response) {
    if (reply.body() instanceof Reply.Socket socket) {
      return response.sendWebsocket(
          socket.handler(), WebsocketServerSpec.builder().maxFramePayloadLength(maxFrame).build());
    }
    response.status(reply.status());
    HttpHeaders headers = response.responseHeaders();
    if (!reply.headers().isEmpty()) {
      headers.set(reply.headers());
    }
    if (exchange != null) {
      if (!exchange.requestId().isEmpty()) {
        headers.set(RequestId.HEADER, exchange.requestId());
      }
      if (!exchange.traceparent().isEmpty()) {
        headers.set(TRACEPARENT, exchange.traceparent());
      }
    }
    if (reply.body() instanceof Reply.Bytes bytes) {
      headers.set(HttpHeaderNames.CONTENT_LENGTH, bytes.content().length);
      return response.send(Mono.just(Unpooled.wrappedBuffer(bytes.content()))).then();
    }
    if (reply.body() instanceof Reply.Stream stream) {
      stream.trailers().ifPresent(response::trailerHeaders);
      if (stream.flushEach()) {
        return response.send(stream.content(), buf -> true).then();
      }
      return response.send(stream.content()).then();
    }
    if (reply.status().code() != HttpResponseStatus.NO_CONTENT.code()) {
      response.header(HttpHeaderNames.CONTENT_LENGTH, "0");
    }
    return response.send();
  }

  /** Closes a connection that has neither read nor written for the idle timeout. */
  private static final class IdleClose extends IdleStateHandler {
    static final String NAME = "vireo.gateway.idle";

    IdleClose(Duration idle) {
      super(0, 0, idle.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent event) {
      ctx.close();
    }
  }

  public void close(Duration timeout) {
    if (server != null) {
      server.disposeNow(timeout);
    }
  }
}
