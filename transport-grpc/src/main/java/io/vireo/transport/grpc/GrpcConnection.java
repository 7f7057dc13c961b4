package io.vireo.transport.grpc;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;

/**
 * A client connection: one {@link ManagedChannel} to one instance, held while it is READY. When the
 * channel leaves READY (the server went away or closed the connection, or the channel idled) the
 * connection closes: calls in flight finish on the old transport, and Vireo's pool connects afresh,
 * through the registry, on the next call.
 */
final class GrpcConnection implements Connection {
  private static final Logger log = LoggerFactory.getLogger(GrpcConnection.class);

  private final ManagedChannel channel;
  private final String address;
  private final int prefetch;
  private final int maxMessageSize;

  /**
   * The options of every call, made once. They hold no deadline: the caller's deadline (Vireo's
   * client enforces it, and cancels the call when it passes) goes on the wire as {@code
   * grpc-timeout}, written by {@link Wire#metadata}.
   */
  private final CallOptions callOptions;

  /**
   * Method descriptors by type, then route; the maps per type are made here, so this one is only
   * read.
   */
  private final Map<MethodDescriptor.MethodType, Map<Route, MethodDescriptor<byte[], byte[]>>>
      methods = new EnumMap<>(MethodDescriptor.MethodType.class);

  {
    for (MethodDescriptor.MethodType type : MethodDescriptor.MethodType.values()) {
      methods.put(type, new ConcurrentHashMap<>());
    }
  }

  private final AtomicBoolean disposed = new AtomicBoolean();
  private final Sinks.Empty<Void> closed = Sinks.empty();

  GrpcConnection(
      ManagedChannel channel,
      String address,
      int prefetch,
      int maxMessageSize,
      int onReadyThreshold) {
    this.channel = channel;
    this.address = address;
    this.prefetch = prefetch;
    this.maxMessageSize = maxMessageSize;
    this.callOptions = CallOptions.DEFAULT.withOnReadyThreshold(onReadyThreshold);
    watch(ConnectivityState.READY);
  }

  private void watch(ConnectivityState seen) {
    channel.notifyWhenStateChanged(
        seen,
        () -> {
          ConnectivityState now = channel.getState(false);
          if (now == ConnectivityState.READY) {
            watch(now);
          } else {
            log.debug("gRPC channel to {} is {}; closing the connection", address, now);
            dispose();
          }
        });
  }

  @Override
  public Mono<byte[]> requestResponse(Frame request) {
    return unary(request);
  }

  @Override
  public Mono<Void> fireAndForget(Frame request) {
    // a unary call answered at once with an empty message: the caller learns it was delivered
    return unary(request).then();
  }

  /**
   * A unary call without the streaming machinery (no Flux, no demand bookkeeping): one message out,
   * one in, as grpc-java's own unary stubs do it.
   */
  private Mono<byte[]> unary(Frame frame) {
    return Mono.create(
        sink -> {
          if (disposed.get()) {
            sink.error(
                VireoException.of(Status.UNAVAILABLE, "connection to %s is closed", address));
            return;
          }
          if (frame.data().length > maxMessageSize) {
            sink.error(tooLarge(frame.data().length));
            return;
          }
          ClientCall<byte[], byte[]> call =
              channel.newCall(
                  method(frame.route(), MethodDescriptor.MethodType.UNARY), callOptions);
          UnaryListener listener = new UnaryListener(sink, frame);
          // ClientCall is not thread-safe: the caller's cancel may race with the sends below
          sink.onCancel(
              () -> {
                synchronized (listener) {
                  call.cancel("the caller cancelled " + frame.route(), null);
                }
              });
          synchronized (listener) {
            call.start(listener, Wire.metadata(frame.headers(), frame.contentType()));
            call.request(
                2); // one answer; a second would be the server's protocol error, which gRPC reports
            call.sendMessage(frame.data());
            call.halfClose();
          }
        });
  }

  private final class UnaryListener extends ClientCall.Listener<byte[]> {
    private final MonoSink<byte[]> sink;
    private final Frame frame;
    private byte @Nullable [] response; // written and read on the call's serialized listener thread

    UnaryListener(MonoSink<byte[]> sink, Frame frame) {
      this.sink = sink;
      this.frame = frame;
    }

    @Override
    public void onMessage(byte[] message) {
      if (response == null) {
        response = message;
      }
    }

    @Override
    public void onClose(io.grpc.Status status, Metadata trailers) {
      byte[] answer = response;
      if (!status.isOk()) {
        sink.error(Wire.exception(status, address));
      } else if (answer == null) {
        sink.error(
            VireoException.of(
                Status.INTERNAL, "%s at %s answered no message", frame.route(), address));
      } else {
        sink.success(answer);
      }
    }
  }

  @Override
  public Flux<byte[]> requestStream(Frame request) {
    return call(request, MethodDescriptor.MethodType.SERVER_STREAMING, null);
  }

  @Override
  public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
    // bidi on our side serves client-stream methods too: the wire is the same
    return call(head, MethodDescriptor.MethodType.BIDI_STREAMING, requests);
  }

  private Flux<byte[]> call(
      Frame frame, MethodDescriptor.MethodType type, @Nullable Flux<byte[]> requests) {
    return Flux.defer(
        () -> {
          if (disposed.get()) {
            return Flux.error(
                VireoException.of(Status.UNAVAILABLE, "connection to %s is closed", address));
          }
          if (frame.data().length > maxMessageSize) {
            return Flux.error(tooLarge(frame.data().length));
          }
          ClientCall<byte[], byte[]> call =
              channel.newCall(method(frame.route(), type), callOptions);
          Flux<byte[]> checked =
              requests == null
                  ? null
                  : requests.handle(
                      (data, sink) -> {
                        if (data.length > maxMessageSize) {
                          sink.error(tooLarge(data.length));
                        } else {
                          sink.next(data);
                        }
                      });
          return new Exchange(
              call, Wire.metadata(frame.headers(), frame.contentType()), frame, checked);
        });
  }

  private VireoException tooLarge(int size) {
    return VireoException.of(
        Status.RESOURCE_EXHAUSTED,
        "message of %d bytes is over the maximum of %d (vireo.transport.max-message-size)",
        size,
        maxMessageSize);
  }

  private MethodDescriptor<byte[], byte[]> method(Route route, MethodDescriptor.MethodType type) {
    Map<Route, MethodDescriptor<byte[], byte[]>> byRoute = methods.get(type);
    MethodDescriptor<byte[], byte[]> method = byRoute.get(route);
    return method != null ? method : byRoute.computeIfAbsent(route, r -> Bytes.method(r, type));
  }

  @Override
  public Mono<Void> onClose() {
    return closed.asMono();
  }

  /** Graceful: calls in flight finish; new ones fail with UNAVAILABLE. */
  @Override
  public void dispose() {
    if (disposed.compareAndSet(false, true)) {
      channel.shutdown();
      closed.tryEmitEmpty();
    }
  }

  @Override
  public boolean isDisposed() {
    return disposed.get();
  }

  /** Shuts the channel down at once, cancelling its calls. */
  void disposeNow() {
    dispose();
    channel.shutdownNow();
  }

  /**
   * One call: its responses are this flux (demand = {@code call.request(n)}); its requests, one
   * frame's payload or a flux sent while the call is ready.
   */
  private final class Exchange extends Inbound {
    private final ClientCall<byte[], byte[]> call;
    private final Metadata metadata;
    private final Frame frame;
    private final @Nullable Flux<byte[]> requests;
    private final @Nullable Requests sender;
    private boolean
        callCancelled; // guarded by this: ClientCall is not thread-safe for send/halfClose/cancel

    Exchange(
        ClientCall<byte[], byte[]> call,
        Metadata metadata,
        Frame frame,
        @Nullable Flux<byte[]> requests) {
      this.call = call;
      this.metadata = metadata;
      this.frame = frame;
      this.requests = requests;
      this.sender = requests == null ? null : new Requests();
    }

    @Override
    protected void subscribed() {
      synchronized (this) {
        call.start(new Listener(), metadata);
      }
      if (requests == null) {
        synchronized (this) {
          if (!callCancelled) {
            call.sendMessage(frame.data());
            call.halfClose();
          }
        }
      } else {
        requests.subscribe(sender);
      }
    }

    @Override
    protected void requestMessages(int n) {
      call.request(n);
    }

    @Override
    protected void cancelled() {
      if (sender != null) {
        sender.stop();
      }
      cancel("the caller cancelled " + frame.route(), null);
    }

    void cancel(String why, @Nullable Throwable cause) {
      synchronized (this) {
        if (callCancelled) {
          return;
        }
        callCancelled = true;
        call.cancel(why, cause);
      }
    }

    private final class Listener extends ClientCall.Listener<byte[]> {
      @Override
      public void onMessage(byte[] message) {
        deliver(message);
      }

      @Override
      public void onReady() {
        if (sender != null) {
          sender.onReady();
        }
      }

      @Override
      public void onClose(io.grpc.Status status, Metadata trailers) {
        if (sender != null) {
          sender.stop();
        }
        if (status.isOk()) {
          completed();
        } else {
          failed(Wire.exception(status, address));
        }
      }
    }

    /** The request flux, sent while the call is ready. */
    private final class Requests extends Outbound {
      Requests() {
        super(prefetch);
      }

      @Override
      protected boolean ready() {
        return call.isReady();
      }

      @Override
      protected void send(byte[] message) {
        synchronized (Exchange.this) {
          if (!callCancelled) {
            call.sendMessage(message);
          }
        }
      }

      @Override
      protected void finish() {
        synchronized (Exchange.this) {
          if (!callCancelled) {
            call.halfClose();
          }
        }
      }

      @Override
      protected void fail(Throwable error) {
        VireoException vireo = VireoException.from(error);
        cancel("the requests of " + frame.route() + " failed: " + vireo.getMessage(), vireo);
      }
    }
  }
}
