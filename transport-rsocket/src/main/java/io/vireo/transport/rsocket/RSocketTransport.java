package io.vireo.transport.rsocket;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.rsocket.core.RSocketServer;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.netty.client.TcpClientTransport;
import io.rsocket.transport.netty.server.TcpServerTransport;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.security.TlsConfig;
import io.vireo.transport.Connection;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.MessageLimits;
import io.vireo.transport.RefusedConnections;
import io.vireo.transport.Server;
import io.vireo.transport.ServerLimits;
import io.vireo.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * Vireo calls over RSocket on TCP (rsocket-java and reactor-netty). A client keeps one multiplexed
 * connection per instance (or one per instance and calling event loop, {@link
 * Builder#connectionPerEventLoop}); the server feeds every request to the framework's {@link
 * Dispatcher}. The wire conventions (composite metadata with routing, mime-type, bearer
 * authentication and one Vireo headers entry; error codes {@code 0x300 + status}) are public and
 * described in the module's README, so that a plain rsocket-java client can call a Vireo service.
 *
 * <pre>{@code
 * Transport transport = RSocketTransport.builder()
 *     .maxMessageSize(8 * 1024 * 1024)
 *     .connectTimeout(Duration.ofSeconds(2))
 *     .build();
 * // or from configuration (vireo.transport=rsocket selects it by name):
 * Transport same = RSocketTransport.of(Config.of(Map.of("vireo.transport.max-message-size", "8388608")));
 * }</pre>
 */
public final class RSocketTransport implements Transport {
  /** The name instances register with, and {@code vireo.transport} selects. */
  public static final String NAME = "rsocket";

  /** Largest message, in bytes, either way: {@value}. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = MessageLimits.DEFAULT_MAX_MESSAGE_SIZE;

  /** How often a client sends KEEPALIVE: 20 s (rsocket-java's default). */
  public static final Duration DEFAULT_KEEPALIVE_INTERVAL = Duration.ofSeconds(20);

  /** How long without any frame before a client drops the connection: 90 s. */
  public static final Duration DEFAULT_KEEPALIVE_MAX_LIFETIME = Duration.ofSeconds(90);

  /** How long a client waits for the TCP connection: 5 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /** Requests one connection may have open on a server at once: no limit. */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = ServerLimits.UNLIMITED_STREAMS;

  /** How long a server keeps a connection with no open request: zero, for ever. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = ServerLimits.NO_IDLE_TIMEOUT;

  /** How long a server waits for the rest of a frame it has begun to receive: 10 s. */
  public static final Duration DEFAULT_FRAME_TIMEOUT = Duration.ofSeconds(10);

  /** Config key of {@link Builder#maxMessageSize}. */
  public static final String MAX_MESSAGE_SIZE_KEY = MessageLimits.MAX_MESSAGE_SIZE_KEY;

  /** Config key of {@link Builder#keepAliveInterval}. */
  public static final String KEEPALIVE_INTERVAL_KEY = "vireo.transport.rsocket.keepalive-interval";

  /** Config key of {@link Builder#keepAliveMaxLifetime}. */
  public static final String KEEPALIVE_MAX_LIFETIME_KEY =
      "vireo.transport.rsocket.keepalive-max-lifetime";

  /** Config key of {@link Builder#connectTimeout}. */
  public static final String CONNECT_TIMEOUT_KEY = "vireo.transport.connect-timeout";

  /** Config key of {@link Builder#maxConcurrentStreams}. */
  public static final String MAX_CONCURRENT_STREAMS_KEY = ServerLimits.MAX_CONCURRENT_STREAMS_KEY;

  /** Config key of {@link Builder#idleTimeout}. */
  public static final String IDLE_TIMEOUT_KEY = ServerLimits.IDLE_TIMEOUT_KEY;

  /** Config key of {@link Builder#frameTimeout}. */
  public static final String FRAME_TIMEOUT_KEY = "vireo.transport.rsocket.frame-timeout";

  /** Config key of {@link Builder#flushEvery}. */
  public static final String FLUSH_EVERY_KEY = "vireo.transport.rsocket.flush-every";

  /** {@link Builder#flushEvery}'s default. */
  public static final int DEFAULT_FLUSH_EVERY = 16;

  /** Config key of {@link Builder#connectionPerEventLoop}. */
  public static final String CONNECTION_PER_EVENT_LOOP_KEY =
      "vireo.transport.rsocket.connection-per-event-loop";

  private final Settings settings;
  private final Optional<SslContext> serverTls;
  private final Optional<SslContext> clientTls;
  private final Duration frameTimeout;
  private final boolean connectionPerEventLoop;
  private final int flushEvery;

  private RSocketTransport(
      Settings settings,
      Optional<SslContext> serverTls,
      Optional<SslContext> clientTls,
      Duration frameTimeout,
      boolean connectionPerEventLoop,
      int flushEvery) {
    this.settings = settings;
    this.serverTls = serverTls;
    this.clientTls = clientTls;
    this.frameTimeout = frameTimeout;
    this.connectionPerEventLoop = connectionPerEventLoop;
    this.flushEvery = flushEvery;
  }

  /** A transport with every option at its default. */
  public static RSocketTransport of() {
    return builder().build();
  }

  /** A transport configured from the keys above; absent keys take their defaults. */
  public static RSocketTransport of(Config config) {
    return builder()
        .maxMessageSize(MessageLimits.maxMessageSize(config))
        .keepAliveInterval(config.getDuration(KEEPALIVE_INTERVAL_KEY, DEFAULT_KEEPALIVE_INTERVAL))
        .keepAliveMaxLifetime(
            config.getDuration(KEEPALIVE_MAX_LIFETIME_KEY, DEFAULT_KEEPALIVE_MAX_LIFETIME))
        .connectTimeout(config.getDuration(CONNECT_TIMEOUT_KEY, DEFAULT_CONNECT_TIMEOUT))
        .idleDataMimeType(Settings.contentTypeOfCodec(config.get("vireo.codec", "proto")))
        .maxConcurrentStreams(ServerLimits.maxConcurrentStreams(config))
        .idleTimeout(ServerLimits.idleTimeout(config))
        .frameTimeout(config.getDuration(FRAME_TIMEOUT_KEY, DEFAULT_FRAME_TIMEOUT))
        .connectionPerEventLoop(config.getBoolean(CONNECTION_PER_EVENT_LOOP_KEY, false))
        .flushEvery(config.getInt(FLUSH_EVERY_KEY, DEFAULT_FLUSH_EVERY))
        .serverTls(TlsConfig.server(config))
        .clientTls(TlsConfig.client(config))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The largest message this transport sends or accepts, in bytes. */
  public int maxMessageSize() {
    return settings.maxMessageSize();
  }

  @Override
  public Mono<Server> serve(InetSocketAddress address, Dispatcher dispatcher) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(dispatcher, "dispatcher");
    return Mono.defer(
        () -> {
          ServerAcceptor acceptor = new ServerAcceptor(dispatcher, settings);
          // every frame is checked before rsocket-java reads it (FrameGuard); a refused
          // connection is counted and logged once, within RefusedConnections' limits
          RefusedConnections refused = RefusedConnections.of(NAME);
          int maxFrameLength = settings.maxFrameLength();
          TcpServer tcp =
              TcpServer.create()
                  .bindAddress(() -> address)
                  .doOnConnection(
                      connection -> {
                        connection.addHandlerFirst(
                            FrameGuard.NAME, new FrameGuard(maxFrameLength, frameTimeout, refused));
                        if (flushEvery > 0) {
                          connection.addHandlerFirst(EarlyFlush.NAME, new EarlyFlush(flushEvery));
                        }
                      });
          if (serverTls.isPresent()) {
            tcp = tcp.secure(spec -> spec.sslContext(serverTls.get()));
          }
          return RSocketServer.create(acceptor)
              .payloadDecoder(PayloadDecoder.ZERO_COPY)
              .fragment(settings.mtu())
              .maxInboundPayloadSize(settings.maxInboundPayloadSize())
              .bind(TcpServerTransport.create(tcp))
              .<Server>map(channel -> new RSocketServerHandle(channel, acceptor))
              .onErrorMap(
                  error -> !(error instanceof VireoException),
                  error ->
                      new VireoException(
                          Status.UNAVAILABLE,
                          "bind " + address + ": " + Errors.describe(error),
                          error));
        });
  }

  @Override
  public Mono<Connection> connect(ServiceInstance instance) {
    if (!connectionPerEventLoop) {
      return connect(instance, null);
    }
    return Mono.defer(
        () -> {
          EventLoop loop = EventLoopConnections.currentLoop();
          return connect(instance, loop)
              .map(
                  first ->
                      new EventLoopConnections(first, loop, other -> connect(instance, other)));
        });
  }

  /** One TCP connection, on {@code loop} or, if null, on whichever loop reactor-netty picks. */
  private Mono<Connection> connect(ServiceInstance instance, @Nullable EventLoop loop) {
    String address = instance.address();
    return Mono.defer(
        () -> {
          TcpClient tcp =
              TcpClient.newConnection()
                  .host(instance.host())
                  .port(instance.port())
                  .option(
                      ChannelOption.CONNECT_TIMEOUT_MILLIS,
                      (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
          if (loop != null) {
            tcp = tcp.runOn(loop);
          }
          if (flushEvery > 0) {
            tcp =
                tcp.doOnConnected(
                    c -> c.addHandlerFirst(EarlyFlush.NAME, new EarlyFlush(flushEvery)));
          }
          if (clientTls.isPresent()) {
            // reactor-netty verifies the server's name (or IP) against its certificate
            tcp = tcp.secure(spec -> spec.sslContext(clientTls.get()));
          }
          return TcpClientTransport.create(tcp)
              .connect()
              .timeout(
                  settings.connectTimeout(),
                  Mono.error(
                      () ->
                          new VireoException(
                              Status.UNAVAILABLE,
                              "connect to "
                                  + address
                                  + ": timed out after "
                                  + settings.connectTimeout())))
              .<Connection>map(duplex -> new RSocketConnection(duplex, address, settings))
              .onErrorMap(
                  error -> !(error instanceof VireoException),
                  error ->
                      new VireoException(
                          Status.UNAVAILABLE,
                          "connect to " + address + ": " + Errors.describe(error),
                          error));
        });
  }

  @Override
  public String toString() {
    return "RSocketTransport{maxMessageSize=" + settings.maxMessageSize() + "}";
  }

  /** Builds an {@link RSocketTransport}; every option has a {@code DEFAULT_*}. */
  public static final class Builder {
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private Duration keepAliveInterval = DEFAULT_KEEPALIVE_INTERVAL;
    private Duration keepAliveMaxLifetime = DEFAULT_KEEPALIVE_MAX_LIFETIME;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private String idleDataMimeType = Settings.PROTOBUF;
    private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration frameTimeout = DEFAULT_FRAME_TIMEOUT;
    private boolean connectionPerEventLoop;
    private int flushEvery = DEFAULT_FLUSH_EVERY;
    private Optional<TlsConfig> serverTls = Optional.empty();
    private Optional<TlsConfig> clientTls = Optional.empty();

    Builder() {}

    /**
     * TLS for the servers this transport binds ({@code vireo.server.tls.*}); mutual TLS with
     * client-auth.
     */
    public Builder serverTls(Optional<TlsConfig> tls) {
      this.serverTls = tls;
      return this;
    }

    /** TLS for the connections this transport makes ({@code vireo.client.tls.*}). */
    public Builder clientTls(Optional<TlsConfig> tls) {
      this.clientTls = tls;
      return this;
    }

    /**
     * The largest message, in bytes. A client fails a larger outgoing message with
     * RESOURCE_EXHAUSTED without sending it, and a larger response too; fragmentation and
     * rsocket-java's inbound limit are set so that messages up to this size pass.
     */
    public Builder maxMessageSize(int maxMessageSize) {
      if (maxMessageSize <= 0) {
        throw new IllegalArgumentException(
            "maxMessageSize: " + maxMessageSize + " (expected: > 0)");
      }
      this.maxMessageSize = maxMessageSize;
      return this;
    }

    public Builder keepAliveInterval(Duration keepAliveInterval) {
      if (keepAliveInterval.isNegative() || keepAliveInterval.isZero()) {
        throw new IllegalArgumentException(
            "keepAliveInterval: " + keepAliveInterval + " (expected: > 0)");
      }
      this.keepAliveInterval = keepAliveInterval;
      return this;
    }

    public Builder keepAliveMaxLifetime(Duration keepAliveMaxLifetime) {
      if (keepAliveMaxLifetime.isNegative() || keepAliveMaxLifetime.isZero()) {
        throw new IllegalArgumentException(
            "keepAliveMaxLifetime: " + keepAliveMaxLifetime + " (expected: > 0)");
      }
      this.keepAliveMaxLifetime = keepAliveMaxLifetime;
      return this;
    }

    public Builder connectTimeout(Duration connectTimeout) {
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException(
            "connectTimeout: " + connectTimeout + " (expected: > 0)");
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * The SETUP data mime type of a connection that carries no call for a while (default {@code
     * application/x-protobuf}); normally SETUP takes the first call's content type.
     */
    public Builder idleDataMimeType(String mimeType) {
      if (mimeType.isEmpty() || mimeType.length() > 128) {
        throw new IllegalArgumentException(
            "idleDataMimeType: '"
                + mimeType
                + "' (expected: a mime type such as application/json)");
      }
      this.idleDataMimeType = mimeType;
      return this;
    }

    /**
     * Requests (of any kind, streams until they end) one connection may have open on a server at
     * once; the server answers a request beyond it with RESOURCE_EXHAUSTED at once (a
     * fire-and-forget beyond it is dropped). Default: no limit.
     */
    public Builder maxConcurrentStreams(int streams) {
      this.maxConcurrentStreams = ServerLimits.checkMaxConcurrentStreams(streams);
      return this;
    }

    /**
     * How long a server keeps a connection that has no request open: a timer per connection,
     * started when its last request ends (or at SETUP), closes it; a Vireo client connects again on
     * its next call. KEEPALIVE frames do not count as activity. Zero (the default): never.
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = ServerLimits.checkIdleTimeout(timeout);
      return this;
    }

    /**
     * How long a server waits for the rest of a frame once part of it has arrived and no byte
     * follows; then it closes the connection (a refused connection, reason {@code
     * truncated-frame}). Default 10 s; zero: for ever.
     */
    public Builder frameTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException(
            "frameTimeout: " + timeout + " (expected: >= 0, 0 for no limit)");
      }
      this.frameTimeout = timeout;
      return this;
    }

    /**
     * One connection per instance and calling event loop, instead of one per instance (default
     * false). A call made on a Netty event loop, say by a reactor-netty server handling a request,
     * goes out and comes back on a connection of that loop (opened by the loop's first call), so no
     * task crosses to another thread; calls from other threads share the first connection. The
     * gateway uses this for its calls. It costs one TCP connection per loop that calls.
     */
    public Builder connectionPerEventLoop(boolean connectionPerEventLoop) {
      this.connectionPerEventLoop = connectionPerEventLoop;
      return this;
    }

    /**
     * Flush a connection after every {@code frames} request-response requests or unary answers
     * written (default 16; 0: only when the batch ends). rsocket-java flushes what it wrote while
     * handling one read once the read is done, so with many calls in flight on one connection each
     * side works while the other waits: with 64 calls in flight, the client and the server event
     * loops were each busy half the time on 2 cores. Flushing every 16 such frames lets the peer
     * start on the first ones while the rest are made. Stream frames and fire-and-forget requests
     * are not counted: a stream's frames stay batched.
     */
    public Builder flushEvery(int frames) {
      if (frames < 0) {
        throw new IllegalArgumentException(
            "flushEvery: " + frames + " (expected: >= 0, 0 to flush only when a batch ends)");
      }
      this.flushEvery = frames;
      return this;
    }

    public RSocketTransport build() {
      if (keepAliveMaxLifetime.compareTo(keepAliveInterval) <= 0) {
        throw new IllegalArgumentException(
            "keepAliveMaxLifetime: "
                + keepAliveMaxLifetime
                + " (expected: > keepAliveInterval "
                + keepAliveInterval
                + ")");
      }
      return new RSocketTransport(
          new Settings(
              maxMessageSize,
              keepAliveInterval,
              keepAliveMaxLifetime,
              connectTimeout,
              idleDataMimeType,
              maxConcurrentStreams,
              idleTimeout),
          serverTls.map(Tls::server),
          clientTls.map(Tls::client),
          frameTimeout,
          connectionPerEventLoop,
          flushEvery);
    }
  }
}
