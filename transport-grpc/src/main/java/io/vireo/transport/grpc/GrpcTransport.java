package io.vireo.transport.grpc;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.config.Values;
import io.vireo.registry.ServiceInstance;
import io.vireo.security.TlsConfig;
import io.vireo.transport.Connection;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.MessageLimits;
import io.vireo.transport.Server;
import io.vireo.transport.ServerLimits;
import io.vireo.transport.Transport;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Schedulers;

/**
 * The {@code grpc} transport: standard gRPC over HTTP/2 (grpc-java on Netty; plaintext, or TLS and
 * mutual TLS from {@code vireo.server.tls.*} / {@code vireo.client.tls.*}), wire-compatible with
 * stock gRPC clients and servers.
 *
 * <p>Each route is the gRPC method {@code /<package>.<Service>/<Method>} of its kind; payloads are
 * the codec's bytes ({@code application/grpc} = protobuf, {@code application/grpc+json} = JSON);
 * headers are metadata, the deadline is {@code grpc-timeout}, errors are {@code grpc-status} with
 * the same code. A server also answers the standard health service and the framework's server
 * reflection. Handlers run on the transport's Netty threads; demand crosses the wire through gRPC's
 * manual flow control.
 *
 * <pre>{@code
 * Transport grpc = GrpcTransport.builder()
 *     .maxMessageSize(8 * 1024 * 1024)
 *  *     .build();
 * Service.builder("greeter").transport(grpc).handle(Greeter.class, new GreeterImpl()).build().run();
 * }</pre>
 *
 * Or from configuration only: {@code vireo.transport=grpc}.
 */
public final class GrpcTransport implements Transport {
  private static final Logger log = LoggerFactory.getLogger(GrpcTransport.class);

  /** {@code vireo.transport.max-message-size}: 4 MiB, as gRPC's default. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = MessageLimits.DEFAULT_MAX_MESSAGE_SIZE;

  /**
   * {@code vireo.transport.grpc.flow-control-window}: 1 MiB per stream, fixed (no BDP auto-tuning).
   */
  public static final int DEFAULT_FLOW_CONTROL_WINDOW = 1024 * 1024;

  /**
   * {@code vireo.transport.grpc.on-ready-threshold}: 32 KiB, gRPC's; a call takes more messages
   * while less is queued.
   */
  public static final int DEFAULT_ON_READY_THRESHOLD = 32 * 1024;

  /**
   * {@code vireo.transport.grpc.prefetch}: messages pulled ahead from a stream while the call is
   * ready.
   */
  public static final int DEFAULT_PREFETCH = 64;

  /** {@code vireo.transport.grpc.event-loop-threads}: the number of processors. */
  public static final int DEFAULT_EVENT_LOOP_THREADS = Runtime.getRuntime().availableProcessors();

  /** {@code vireo.transport.grpc.connect-timeout}. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * {@code vireo.transport.grpc.shutdown-timeout}: how long a disposed server waits for open calls.
   */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  /** {@code vireo.server.max-concurrent-streams}: no limit (gRPC's default). */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = ServerLimits.UNLIMITED_STREAMS;

  /**
   * {@code vireo.server.idle-timeout}: zero, connections without calls are never closed by the
   * server.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = ServerLimits.NO_IDLE_TIMEOUT;

  /** Config key of {@link Builder#maxConcurrentStreams}. */
  public static final String MAX_CONCURRENT_STREAMS_KEY = ServerLimits.MAX_CONCURRENT_STREAMS_KEY;

  /** Config key of {@link Builder#idleTimeout}. */
  public static final String IDLE_TIMEOUT_KEY = ServerLimits.IDLE_TIMEOUT_KEY;

  private final int maxMessageSize;
  private final int flowControlWindow;
  private final int prefetch;
  private final int onReadyThreshold;
  private final Duration connectTimeout;
  private final Duration shutdownTimeout;
  private final boolean reflection;
  private final int maxConcurrentStreams;
  private final Duration idleTimeout;
  private final Optional<SslContext> serverTls;
  private final Optional<SslContext> clientTls;
  private final EventLoopGroup group;

  /** {@link #group} as the client channels see it (their deadline timers on the calling loop). */
  private final EventLoopGroup channelLoops;

  private final Set<GrpcConnection> connections = ConcurrentHashMap.newKeySet();
  private final Set<GrpcServer> servers = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private GrpcTransport(Builder builder) {
    this.maxMessageSize = builder.maxMessageSize;
    this.flowControlWindow = builder.flowControlWindow;
    this.prefetch = builder.prefetch;
    this.onReadyThreshold = builder.onReadyThreshold;
    this.connectTimeout = builder.connectTimeout;
    this.shutdownTimeout = builder.shutdownTimeout;
    this.reflection = builder.reflection;
    this.maxConcurrentStreams = builder.maxConcurrentStreams;
    this.idleTimeout = builder.idleTimeout;
    this.serverTls = builder.serverTls.map(GrpcTls::server);
    this.clientTls = builder.clientTls.map(GrpcTls::client);
    this.group =
        new MultiThreadIoEventLoopGroup(
            builder.eventLoopThreads,
            new DefaultThreadFactory("vireo-grpc", true),
            NioIoHandler.newFactory());
    this.channelLoops = new CallerLoopScheduling(group);
  }

  /**
   * A transport configured from {@code vireo.transport.max-message-size}, {@code
   * vireo.transport.grpc.*}, {@code vireo.server.max-concurrent-streams}, {@code
   * vireo.server.idle-timeout} and TLS from {@code vireo.server.tls.*} and {@code
   * vireo.client.tls.*}.
   */
  public static GrpcTransport of(Config config) {
    return builder()
        .maxMessageSize(MessageLimits.maxMessageSize(config))
        .flowControlWindow(
            config.getInt("vireo.transport.grpc.flow-control-window", DEFAULT_FLOW_CONTROL_WINDOW))
        .prefetch(config.getInt("vireo.transport.grpc.prefetch", DEFAULT_PREFETCH))
        .onReadyThreshold(
            config.getInt("vireo.transport.grpc.on-ready-threshold", DEFAULT_ON_READY_THRESHOLD))
        .eventLoopThreads(
            config.getInt("vireo.transport.grpc.event-loop-threads", DEFAULT_EVENT_LOOP_THREADS))
        .connectTimeout(
            config.getDuration("vireo.transport.grpc.connect-timeout", DEFAULT_CONNECT_TIMEOUT))
        .shutdownTimeout(
            config.getDuration("vireo.transport.grpc.shutdown-timeout", DEFAULT_SHUTDOWN_TIMEOUT))
        .reflection(config.getBoolean("vireo.transport.grpc.reflection", true))
        .maxConcurrentStreams(ServerLimits.maxConcurrentStreams(config))
        .idleTimeout(ServerLimits.idleTimeout(config))
        .serverTls(TlsConfig.server(config))
        .clientTls(TlsConfig.client(config))
        .build();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String name() {
    return GrpcTransportProvider.NAME;
  }

  /**
   * Binds on a bounded-elastic thread (grpc-java's bind blocks) and serves every route of the
   * dispatcher.
   */
  @Override
  public Mono<Server> serve(InetSocketAddress address, Dispatcher dispatcher) {
    return Mono.<Server>fromCallable(
            () -> {
              if (closed.get()) {
                throw VireoException.of(Status.UNAVAILABLE, "gRPC transport is closed");
              }
              GrpcServer server = GrpcServer.start(address, dispatcher, this, group);
              servers.add(server);
              server
                  .onClose()
                  .subscribe(null, e -> servers.remove(server), () -> servers.remove(server));
              return server;
            })
        .subscribeOn(Schedulers.boundedElastic())
        .onErrorMap(
            e -> !(e instanceof VireoException),
            e ->
                new VireoException(
                    Status.UNAVAILABLE,
                    "cannot serve gRPC on " + address + ": " + e.getMessage(),
                    e));
  }

  /**
   * A channel to the instance, connected before the connection is handed out: UNAVAILABLE when it
   * cannot be reached within the connect timeout.
   */
  @Override
  public Mono<Connection> connect(ServiceInstance instance) {
    return Mono.<Connection>create(
            sink -> {
              if (closed.get()) {
                sink.error(VireoException.of(Status.UNAVAILABLE, "gRPC transport is closed"));
                return;
              }
              NettyChannelBuilder builder =
                  NettyChannelBuilder.forAddress(instance.host(), instance.port())
                      .eventLoopGroup(channelLoops)
                      .channelType(NioSocketChannel.class)
                      .withOption(
                          ChannelOption.CONNECT_TIMEOUT_MILLIS,
                          (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                      .directExecutor()
                      .maxInboundMessageSize(maxMessageSize)
                      .flowControlWindow(flowControlWindow);
              if (clientTls.isPresent()) {
                // TLS with ALPN h2; grpc-java checks the server's certificate against the
                // instance's host (name or IP)
                builder.sslContext(clientTls.get());
              } else {
                builder.usePlaintext();
              }
              ManagedChannel channel = builder.build();
              AtomicBoolean settled = new AtomicBoolean();
              sink.onCancel(
                  () -> {
                    if (settled.compareAndSet(false, true)) {
                      channel.shutdownNow();
                    }
                  });
              awaitReady(channel, channel.getState(true), instance, sink, settled);
            })
        .timeout(
            connectTimeout.plusSeconds(1),
            Mono.error(
                () ->
                    VireoException.of(
                        Status.UNAVAILABLE,
                        "cannot reach %s (instance %s of %s) over gRPC within %s",
                        instance.address(),
                        instance.id(),
                        instance.service(),
                        Values.format(connectTimeout))));
  }

  private void awaitReady(
      ManagedChannel channel,
      ConnectivityState state,
      ServiceInstance instance,
      MonoSink<Connection> sink,
      AtomicBoolean settled) {
    if (state == ConnectivityState.READY) {
      if (settled.compareAndSet(false, true)) {
        GrpcConnection connection =
            new GrpcConnection(
                channel, instance.address(), prefetch, maxMessageSize, onReadyThreshold);
        connections.add(connection);
        connection
            .onClose()
            .subscribe(
                null, e -> connections.remove(connection), () -> connections.remove(connection));
        if (closed.get()) {
          connection.disposeNow();
        }
        sink.success(connection);
      }
      return;
    }
    if (state == ConnectivityState.TRANSIENT_FAILURE || state == ConnectivityState.SHUTDOWN) {
      if (settled.compareAndSet(false, true)) {
        String what =
            String.format(
                "cannot reach %s (instance %s of %s) over gRPC%s",
                instance.address(),
                instance.id(),
                instance.service(),
                clientTls.isPresent() ? " with TLS (vireo.client.tls.*)" : " in plaintext");
        if (state == ConnectivityState.SHUTDOWN) {
          sink.error(VireoException.of(Status.UNAVAILABLE, "%s: the channel was shut down", what));
        } else {
          ConnectFailure.explain(
              channel,
              connectTimeout,
              reason -> {
                channel.shutdownNow();
                sink.error(VireoException.of(Status.UNAVAILABLE, "%s: %s", what, reason));
              });
        }
      }
      return;
    }
    channel.notifyWhenStateChanged(
        state, () -> awaitReady(channel, channel.getState(true), instance, sink, settled));
  }

  /** Closes every server and connection at once and stops the event loops. */
  @Override
  public Mono<Void> close() {
    return Mono.defer(
        () -> {
          if (!closed.compareAndSet(false, true)) {
            return Mono.empty();
          }
          List<Mono<Void>> closing = new ArrayList<>();
          for (GrpcServer server : servers) {
            server.dispose();
            closing.add(server.onClose());
          }
          connections.forEach(GrpcConnection::disposeNow);
          return Mono.when(closing)
              .then(
                  Mono.<Void>create(
                      sink ->
                          group
                              .shutdownGracefully(0, 2, TimeUnit.SECONDS)
                              .addListener(
                                  done -> {
                                    if (!done.isSuccess()) {
                                      log.warn(
                                          "gRPC event loops did not stop cleanly: {}",
                                          String.valueOf(done.cause()));
                                    }
                                    sink.success();
                                  })));
        });
  }

  int maxMessageSize() {
    return maxMessageSize;
  }

  int flowControlWindow() {
    return flowControlWindow;
  }

  int prefetch() {
    return prefetch;
  }

  int onReadyThreshold() {
    return onReadyThreshold;
  }

  Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  boolean reflection() {
    return reflection;
  }

  int maxConcurrentStreams() {
    return maxConcurrentStreams;
  }

  Duration idleTimeout() {
    return idleTimeout;
  }

  Optional<SslContext> serverTls() {
    return serverTls;
  }

  /** Builds a {@link GrpcTransport}; every option has a {@code DEFAULT_*}. */
  public static final class Builder {
    private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private int flowControlWindow = DEFAULT_FLOW_CONTROL_WINDOW;
    private int prefetch = DEFAULT_PREFETCH;
    private int onReadyThreshold = DEFAULT_ON_READY_THRESHOLD;
    private int eventLoopThreads = DEFAULT_EVENT_LOOP_THREADS;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    private boolean reflection = true;
    private int maxConcurrentStreams = DEFAULT_MAX_CONCURRENT_STREAMS;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Optional<TlsConfig> serverTls = Optional.empty();
    private Optional<TlsConfig> clientTls = Optional.empty();

    Builder() {}

    /**
     * TLS for the servers this transport binds ({@code vireo.server.tls.*}); with client-auth
     * optional or require, mutual TLS. Empty (the default): plaintext.
     */
    public Builder serverTls(Optional<TlsConfig> tls) {
      this.serverTls = tls;
      return this;
    }

    /**
     * TLS for the channels this transport opens ({@code vireo.client.tls.*}). Empty (the default):
     * plaintext.
     */
    public Builder clientTls(Optional<TlsConfig> tls) {
      this.clientTls = tls;
      return this;
    }

    /**
     * Calls one client connection may have open on a server at once (HTTP/2 {@code
     * SETTINGS_MAX_CONCURRENT_STREAMS}, gRPC's {@code maxConcurrentCallsPerConnection}). A
     * well-behaved client queues calls beyond it until one ends; a stream opened beyond it anyway
     * is refused. Default: no limit.
     */
    public Builder maxConcurrentStreams(int streams) {
      this.maxConcurrentStreams = ServerLimits.checkMaxConcurrentStreams(streams);
      return this;
    }

    /**
     * How long a server keeps a client connection that has no call open (gRPC's {@code
     * maxConnectionIdle}): then it sends GOAWAY and closes it; a Vireo client connects again on its
     * next call. Zero (the default): never.
     */
    public Builder idleTimeout(Duration timeout) {
      this.idleTimeout = ServerLimits.checkIdleTimeout(timeout);
      return this;
    }

    /** The largest message received (larger: RESOURCE_EXHAUSTED) or sent, in bytes. */
    public Builder maxMessageSize(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("maxMessageSize: " + bytes + " (expected: > 0)");
      }
      this.maxMessageSize = bytes;
      return this;
    }

    /**
     * HTTP/2 flow-control window per stream, in bytes: how far a sender may run ahead of what the
     * receiver's subscriber requested. Small windows bound memory tightly and slow large messages
     * (a window update per window's worth).
     */
    public Builder flowControlWindow(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("flowControlWindow: " + bytes + " (expected: > 0)");
      }
      this.flowControlWindow = bytes;
      return this;
    }

    /**
     * How many messages a stream's publisher is asked for ahead of sending, while the call is
     * ready.
     */
    public Builder prefetch(int messages) {
      if (messages <= 0) {
        throw new IllegalArgumentException("prefetch: " + messages + " (expected: > 0)");
      }
      this.prefetch = messages;
      return this;
    }

    /**
     * Bytes queued on a call (not yet written) below which it takes more messages from its
     * publisher.
     */
    public Builder onReadyThreshold(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException("onReadyThreshold: " + bytes + " (expected: > 0)");
      }
      this.onReadyThreshold = bytes;
      return this;
    }

    /** Netty threads shared by this transport's servers and channels. */
    public Builder eventLoopThreads(int threads) {
      if (threads <= 0) {
        throw new IllegalArgumentException("eventLoopThreads: " + threads + " (expected: > 0)");
      }
      this.eventLoopThreads = threads;
      return this;
    }

    public Builder connectTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout: " + timeout + " (expected: > 0)");
      }
      this.connectTimeout = timeout;
      return this;
    }

    public Builder shutdownTimeout(Duration timeout) {
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("shutdownTimeout: " + timeout + " (expected: >= 0)");
      }
      this.shutdownTimeout = timeout;
      return this;
    }

    /**
     * Whether gRPC servers answer server reflection (v1 and v1alpha); default yes. The reflection
     * service is the framework's ({@code vireo.server.reflection}, on every transport); this only
     * keeps it off the gRPC port.
     */
    public Builder reflection(boolean enabled) {
      this.reflection = enabled;
      return this;
    }

    public GrpcTransport build() {
      return new GrpcTransport(this);
    }
  }
}
