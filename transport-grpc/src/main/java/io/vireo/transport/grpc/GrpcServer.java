package io.vireo.transport.grpc;

import io.grpc.HandlerRegistry;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.vireo.CallKind;
import io.vireo.Route;
import io.vireo.config.Values;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import io.vireo.transport.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * A bound gRPC server serving a dispatcher's routes (server reflection among them) and the health
 * service.
 */
final class GrpcServer implements Server {
  private static final Logger log = LoggerFactory.getLogger(GrpcServer.class);
  private static final String REFLECTION_PREFIX = "grpc.reflection.";

  private final io.grpc.Server server;
  private final HealthStatusManager health;
  private final InetSocketAddress address;
  private final Duration shutdownTimeout;
  private final AtomicBoolean disposed = new AtomicBoolean();
  private final Sinks.Empty<Void> closed = Sinks.empty();

  private GrpcServer(io.grpc.Server server, HealthStatusManager health, Duration shutdownTimeout) {
    this.server = server;
    this.health = health;
    this.shutdownTimeout = shutdownTimeout;
    this.address = (InetSocketAddress) server.getListenSockets().get(0);
  }

  /** Builds and binds (blocking: call it off the event loops). */
  static GrpcServer start(
      InetSocketAddress bind, Dispatcher dispatcher, GrpcTransport transport, EventLoopGroup group)
      throws IOException {
    QuietProtocolErrors.install();
    HealthStatusManager health = new HealthStatusManager();
    Map<String, Map<Route, CallKind>> services = new LinkedHashMap<>();
    dispatcher
        .routes()
        .forEach(
            (route, kind) -> {
              // server reflection is one of the framework's routes, served on every transport; here
              // it may be switched off
              if (transport.reflection() || !route.service().startsWith(REFLECTION_PREFIX)) {
                services
                    .computeIfAbsent(route.service(), s -> new LinkedHashMap<>())
                    .put(route, kind);
              }
            });

    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(bind)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .channelType(NioServerSocketChannel.class)
            .directExecutor()
            .maxInboundMessageSize(dispatcher.maxMessageSize())
            .flowControlWindow(transport.flowControlWindow())
            .fallbackHandlerRegistry(new Unknown(methods(dispatcher), dispatcher))
            .addTransportFilter(new RefusedTransports())
            .addStreamTracerFactory(new DeadlineHeader())
            .addService(health.getHealthService());
    transport.serverTls().ifPresent(builder::sslContext);
    if (transport.maxConcurrentStreams() != Integer.MAX_VALUE) {
      builder.maxConcurrentCallsPerConnection(transport.maxConcurrentStreams());
    }
    if (!transport.idleTimeout().isZero()) {
      builder.maxConnectionIdle(transport.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }
    services.forEach(
        (service, routes) ->
            builder.addService(definition(service, routes, dispatcher, transport)));
    io.grpc.Server server = builder.build().start();
    health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, ServingStatus.SERVING);
    services.keySet().forEach(service -> health.setStatus(service, ServingStatus.SERVING));
    GrpcServer started = new GrpcServer(server, health, transport.shutdownTimeout());
    log.debug("gRPC server on {} serving {}", started.address, services.keySet());
    return started;
  }

  /** The methods served, as gRPC names them, for the error of an unknown one. */
  private static String methods(Dispatcher dispatcher) {
    TreeSet<String> names = new TreeSet<>();
    dispatcher.routes().keySet().forEach(route -> names.add("/" + GrpcNames.fullMethodName(route)));
    return names.toString();
  }

  private static ServerServiceDefinition definition(
      String service, Map<Route, CallKind> routes, Dispatcher dispatcher, GrpcTransport transport) {
    Map<Route, MethodDescriptor<byte[], byte[]>> methods = new LinkedHashMap<>();
    routes.forEach((route, kind) -> methods.put(route, Bytes.method(route, methodType(kind))));
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(service);
    methods.values().forEach(descriptor::addMethod);
    ServerServiceDefinition.Builder definition =
        ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(
        (route, method) ->
            definition.addMethod(
                method,
                new VireoCallHandler(
                    route,
                    routes.get(route),
                    dispatcher,
                    transport.prefetch(),
                    transport.onReadyThreshold())));
    return definition.build();
  }

  static MethodDescriptor.MethodType methodType(CallKind kind) {
    switch (kind) {
      case SERVER_STREAM:
        return MethodDescriptor.MethodType.SERVER_STREAMING;
      case CLIENT_STREAM:
        return MethodDescriptor.MethodType.CLIENT_STREAMING;
      case BIDI_STREAM:
        return MethodDescriptor.MethodType.BIDI_STREAMING;
      default:
        // fire-and-forget too: it answers an empty message at once
        return MethodDescriptor.MethodType.UNARY;
    }
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public Mono<Void> onClose() {
    return closed.asMono();
  }

  /**
   * NOT_SERVING on the health service, stop accepting, let calls in flight end (bounded), close.
   */
  @Override
  public void dispose() {
    if (!disposed.compareAndSet(false, true)) {
      return;
    }
    health.enterTerminalState();
    server.shutdown();
    Schedulers.boundedElastic()
        .schedule(
            () -> {
              try {
                if (!server.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                  log.warn(
                      "gRPC server on {}: calls still open after {}; cancelling them",
                      address,
                      Values.format(shutdownTimeout));
                  server.shutdownNow();
                  server.awaitTermination(1, TimeUnit.SECONDS);
                }
              } catch (InterruptedException e) {
                server.shutdownNow();
                Thread.currentThread().interrupt();
              } finally {
                closed.tryEmitEmpty();
              }
            });
  }

  @Override
  public boolean isDisposed() {
    return disposed.get();
  }

  /**
   * Answers every method this server does not serve: through the dispatcher, which counts it (under
   * one bounded route, not the caller's name) and answers UNIMPLEMENTED naming the routes it
   * serves.
   */
  private static final class Unknown extends HandlerRegistry {
    private final String served;
    private final Dispatcher dispatcher;

    Unknown(String served, Dispatcher dispatcher) {
      this.served = served;
      this.dispatcher = dispatcher;
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(
        String methodName, @Nullable String authority) {
      MethodDescriptor<byte[], byte[]> method =
          Bytes.method(methodName, MethodDescriptor.MethodType.UNKNOWN);
      ServerCallHandler<byte[], byte[]> handler =
          (ServerCall<byte[], byte[]> call, Metadata headers) -> {
            Route route;
            try {
              route = GrpcNames.route(methodName);
            } catch (IllegalArgumentException e) {
              route = Route.UNKNOWN;
            }
            Frame frame =
                new Frame(route, Wire.contentType(headers), Wire.headers(headers), Bytes.EMPTY);
            Status unimplemented =
                Status.UNIMPLEMENTED.withDescription(
                    "unknown route /" + methodName + " (this server serves " + served + ")");
            // the dispatcher counts the call (and a server wrapper may refuse it first, e.g.
            // UNAUTHENTICATED)
            Mono.defer(() -> dispatcher.requestResponse(frame))
                .subscribe(
                    ignored -> {},
                    error -> {
                      Status status = Wire.status(error);
                      close(
                          call,
                          status.getCode() == Status.Code.UNIMPLEMENTED ? unimplemented : status);
                    },
                    () -> close(call, unimplemented));
            return new ServerCall.Listener<>() {};
          };
      return ServerMethodDefinition.create(method, handler);
    }

    private static void close(ServerCall<byte[], byte[]> call, Status status) {
      try {
        call.close(status, new Metadata());
      } catch (IllegalStateException alreadyClosed) {
        log.debug("unknown route: call already closed, {} not sent", status.getCode());
      }
    }
  }
}
