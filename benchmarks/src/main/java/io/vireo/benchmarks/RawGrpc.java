package io.vireo.benchmarks;

import io.grpc.BindableService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.vireo.benchmarks.proto.EchoGrpc;
import io.vireo.benchmarks.proto.Payload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Plain grpc-java, server and client, from stubs generated from bench.proto: the baseline for Vireo
 * over gRPC. Both sides use {@code directExecutor()} (the fast configuration on this machine; see
 * MACHINE-NOTES) and respect flow control ({@code isReady}/{@code onReady}).
 */
final class RawGrpc {
  private RawGrpc() {}

  static Server serve(int port) {
    try {
      return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
          .directExecutor()
          .addService(new Service())
          .build()
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The same Echo service, for a peer server (Armeria) to serve. */
  static BindableService service() {
    return new Service();
  }

  static Target connect(int port) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().directExecutor().build();
    return new Client(channel);
  }

  private static final class Service extends EchoGrpc.EchoImplBase {
    @Override
    public void unary(Payload request, StreamObserver<Payload> responses) {
      responses.onNext(request);
      responses.onCompleted();
    }

    @Override
    public void serverStream(Payload request, StreamObserver<Payload> responses) {
      ServerCallStreamObserver<Payload> out = (ServerCallStreamObserver<Payload>) responses;
      long count = request.getCount();
      Runnable drain =
          new Runnable() {
            long sent;
            boolean done;

            @Override
            public void run() {
              while (!done && sent < count && out.isReady()) {
                out.onNext(Payloads.streamItem(request, sent++));
              }
              if (!done && sent == count) {
                done = true;
                out.onCompleted();
              }
            }
          };
      out.setOnCancelHandler(() -> {});
      out.setOnReadyHandler(drain);
      drain.run(); // the call may have become ready before this method ran
    }

    @Override
    public StreamObserver<Payload> clientStream(StreamObserver<Payload> responses) {
      return new StreamObserver<>() {
        long count;

        @Override
        public void onNext(Payload value) {
          count++;
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onNext(Payloads.request(count));
          responses.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<Payload> bidi(StreamObserver<Payload> responses) {
      return new StreamObserver<>() {
        @Override
        public void onNext(Payload value) {
          responses.onNext(value);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }

  private static final class Client implements Target {
    private final ManagedChannel channel;
    private final EchoGrpc.EchoStub stub;

    Client(ManagedChannel channel) {
      this.channel = channel;
      this.stub = EchoGrpc.newStub(channel);
    }

    @Override
    public void unary(Payload request, Sink sink) {
      stub.unary(request, observer(sink));
    }

    @Override
    public void serverStream(Payload request, Sink sink) {
      stub.serverStream(request, observer(sink));
    }

    @Override
    public void clientStream(int n, Sink sink) {
      stub.clientStream(sender(n, sink));
    }

    @Override
    public void bidi(int n, Sink sink) {
      stub.bidi(sender(n, sink));
    }

    @Override
    public boolean firesAndForgets() {
      return false;
    }

    @Override
    public void fire(Payload request) {
      throw new UnsupportedOperationException("gRPC has no fire-and-forget");
    }

    @Override
    public void close() {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static StreamObserver<Payload> observer(Sink sink) {
      return new StreamObserver<>() {
        @Override
        public void onNext(Payload value) {
          sink.message(value);
        }

        @Override
        public void onError(Throwable t) {
          sink.complete(t);
        }

        @Override
        public void onCompleted() {
          sink.complete(null);
        }
      };
    }

    /** Sends n requests as fast as flow control lets it, then half-closes. */
    private static ClientResponseObserver<Payload, Payload> sender(int n, Sink sink) {
      return new ClientResponseObserver<>() {
        @Override
        public void beforeStart(ClientCallStreamObserver<Payload> requests) {
          requests.setOnReadyHandler(
              new Runnable() {
                int sent;
                boolean done;

                @Override
                public void run() {
                  while (!done && sent < n && requests.isReady()) {
                    requests.onNext(Payloads.REQUEST);
                    sent++;
                  }
                  if (!done && sent == n) {
                    done = true;
                    requests.onCompleted();
                  }
                }
              });
        }

        @Override
        public void onNext(Payload value) {
          sink.message(value);
        }

        @Override
        public void onError(Throwable t) {
          sink.complete(t);
        }

        @Override
        public void onCompleted() {
          sink.complete(null);
        }
      };
    }
  }
}
