package io.vireo.transport.memory;

import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Config;
import io.vireo.registry.ServiceInstance;
import io.vireo.transport.Connection;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import io.vireo.transport.MessageLimits;
import io.vireo.transport.Server;
import io.vireo.transport.Transport;
import io.vireo.transport.spi.TransportProvider;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The embedded transport: servers in one JVM, reached by port number without sockets. It keeps the
 * wire's rules (errors reduced to status and message, size limit, UNAVAILABLE once closed) so that
 * what works on it works on a real transport.
 */
public final class MemoryTransport implements Transport {
  public static final String NAME = "memory";

  /** Where the embedded default's ports start; far from real ephemeral ports to avoid confusion. */
  static final int FIRST_PORT = 1;

  private static final Map<Integer, MemoryServer> SERVERS = new ConcurrentHashMap<>();
  private static final AtomicInteger NEXT_PORT = new AtomicInteger(FIRST_PORT);

  private final int maxMessageSize;

  public MemoryTransport(int maxMessageSize) {
    this.maxMessageSize = MessageLimits.checkMaxMessageSize(maxMessageSize);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Mono<Server> serve(InetSocketAddress address, Dispatcher dispatcher) {
    return Mono.fromSupplier(
        () -> {
          int port = address.getPort();
          if (port == 0) {
            do {
              port = NEXT_PORT.getAndIncrement();
            } while (SERVERS.containsKey(port));
          }
          MemoryServer server =
              new MemoryServer(new InetSocketAddress(address.getHostString(), port), dispatcher);
          if (SERVERS.putIfAbsent(port, server) != null) {
            throw VireoException.of(Status.UNAVAILABLE, "memory port %d is in use", port);
          }
          return server;
        });
  }

  @Override
  public Mono<Connection> connect(ServiceInstance instance) {
    return Mono.fromSupplier(
        () -> {
          MemoryServer server = SERVERS.get(instance.port());
          if (server == null || server.disposed) {
            throw VireoException.of(
                Status.UNAVAILABLE,
                "nothing serves memory address %s (instance %s of %s)",
                instance.address(),
                instance.id(),
                instance.service());
          }
          return new MemoryConnection(server, maxMessageSize);
        });
  }

  private static final class MemoryServer implements Server {
    final InetSocketAddress address;
    final Dispatcher dispatcher;
    final Sinks.Empty<Void> closed = Sinks.empty();
    volatile boolean disposed;

    MemoryServer(InetSocketAddress address, Dispatcher dispatcher) {
      this.address = address;
      this.dispatcher = dispatcher;
    }

    @Override
    public InetSocketAddress address() {
      return address;
    }

    @Override
    public Mono<Void> onClose() {
      return closed.asMono();
    }

    @Override
    public void dispose() {
      if (!disposed) {
        disposed = true;
        SERVERS.remove(address.getPort(), this);
        closed.tryEmitEmpty();
      }
    }

    @Override
    public boolean isDisposed() {
      return disposed;
    }
  }

  private static final class MemoryConnection implements Connection {
    private final MemoryServer server;
    private final int maxMessageSize;
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private volatile boolean disposed;

    MemoryConnection(MemoryServer server, int maxMessageSize) {
      this.server = server;
      this.maxMessageSize = maxMessageSize;
      server.onClose().subscribe(null, e -> dispose(), this::dispose);
    }

    @Override
    public Mono<byte[]> requestResponse(Frame request) {
      return Mono.defer(
              () -> {
                VireoException refused = refuse(request.data().length);
                return refused != null
                    ? Mono.<byte[]>error(refused)
                    : server.dispatcher.requestResponse(request);
              })
          .onErrorMap(MemoryConnection::overTheWire);
    }

    @Override
    public Mono<Void> fireAndForget(Frame request) {
      return Mono.defer(
          () -> {
            VireoException refused = refuse(request.data().length);
            if (refused != null) {
              return Mono.error(refused);
            }
            // like a real wire: the caller does not wait for, or hear about, the handler
            server.dispatcher.fireAndForget(request).subscribe(null, e -> {});
            return Mono.<Void>empty();
          });
    }

    @Override
    public Flux<byte[]> requestStream(Frame request) {
      return Flux.defer(
              () -> {
                VireoException refused = refuse(request.data().length);
                return refused != null
                    ? Flux.<byte[]>error(refused)
                    : server.dispatcher.requestStream(request);
              })
          .onErrorMap(MemoryConnection::overTheWire);
    }

    @Override
    public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
      return Flux.defer(
              () -> {
                VireoException refused = refuse(0);
                if (refused != null) {
                  return Flux.<byte[]>error(refused);
                }
                Flux<byte[]> checked =
                    requests.handle(
                        (data, sink) -> {
                          if (data.length > limit()) {
                            sink.error(tooLarge(data.length));
                          } else {
                            sink.next(data);
                          }
                        });
                return server.dispatcher.requestChannel(head, checked);
              })
          .onErrorMap(MemoryConnection::overTheWire);
    }

    private VireoException refuse(int size) {
      if (disposed || server.disposed) {
        return VireoException.of(
            Status.UNAVAILABLE, "connection to memory port %d is closed", server.address.getPort());
      }
      return size > limit() ? tooLarge(size) : null;
    }

    // the smaller of what this client sends and what the server accepts, as on a real wire
    private int limit() {
      return Math.min(maxMessageSize, server.dispatcher.maxMessageSize());
    }

    private VireoException tooLarge(int size) {
      return VireoException.of(
          Status.RESOURCE_EXHAUSTED,
          "message of %d bytes is over the maximum of %d (vireo.transport.max-message-size)",
          size,
          limit());
    }

    // only status and message cross a wire; keep it so here
    private static Throwable overTheWire(Throwable error) {
      VireoException vireo = VireoException.from(error);
      return new VireoException(vireo.status(), vireo.getMessage());
    }

    @Override
    public Mono<Void> onClose() {
      return closed.asMono();
    }

    @Override
    public void dispose() {
      disposed = true;
      closed.tryEmitEmpty();
    }

    @Override
    public boolean isDisposed() {
      return disposed;
    }
  }

  /** {@code memory}. */
  public static final class Provider implements TransportProvider {
    @Override
    public String name() {
      return NAME;
    }

    @Override
    public Transport create(Config config) {
      return new MemoryTransport(MessageLimits.maxMessageSize(config));
    }
  }

  /** {@link io.vireo.transport.MessageLimits#DEFAULT_MAX_MESSAGE_SIZE}. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = MessageLimits.DEFAULT_MAX_MESSAGE_SIZE;
}
