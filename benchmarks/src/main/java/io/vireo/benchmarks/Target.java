package io.vireo.benchmarks;

import io.vireo.benchmarks.proto.Payload;
import org.jspecify.annotations.Nullable;

/**
 * One implementation under test, client side, in callback form so that each library is driven its
 * own natural way (Reactor subscribe for Vireo and rsocket-java, StreamObserver for grpc-java) with
 * no adapter in between.
 */
interface Target extends AutoCloseable {
  /** Hears the messages of one call and how it ended. Called on the library's threads. */
  interface Sink {
    void message(Payload message);

    void complete(@Nullable Throwable error);
  }

  void unary(Payload request, Sink sink);

  /** Asks for {@code request.getCount()} messages. */
  void serverStream(Payload request, Sink sink);

  /** Sends {@code n} messages; the one answer arrives as a message. */
  void clientStream(int n, Sink sink);

  /** Sends {@code n} messages; each answer arrives as a message. */
  void bidi(int n, Sink sink);

  /** Whether {@link #fire} is offered (fire-and-forget has no gRPC form). */
  boolean firesAndForgets();

  void fire(Payload request);

  @Override
  void close();
}
