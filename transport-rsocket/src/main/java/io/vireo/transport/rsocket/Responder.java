package io.vireo.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.config.Values;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.core.scheduler.Schedulers;

/**
 * The server side of one connection: turns each request into a {@link Frame} for the {@link
 * Dispatcher} and its answers into payloads. Request payloads are copied into arrays and released
 * at once; answers go out as wrapped arrays, without a copy.
 *
 * <p>It also keeps the connection's limits: at most {@code maxConcurrentStreams} requests open at
 * once (beyond: RESOURCE_EXHAUSTED), and the connection closed once it had no request open for
 * {@code idleTimeout} (one timer, armed when the count of open requests falls to zero).
 */
final class Responder implements RSocket {
  private static final Logger logger = LoggerFactory.getLogger(Responder.class);
  private static final byte[] EMPTY = new byte[0];

  private final Dispatcher dispatcher;
  private final String dataMimeType;
  private final int maxRequestSize;
  private final int maxResponseSize;
  private final int maxConcurrentStreams;
  private final Duration idleTimeout;
  private final Runnable closeConnection;
  private final AtomicInteger open = new AtomicInteger();
  private final Runnable releaser = this::release;
  private final AtomicReference<@Nullable Disposable> idleTimer = new AtomicReference<>();
  private volatile boolean stopped;

  Responder(
      Dispatcher dispatcher, String dataMimeType, Settings settings, Runnable closeConnection) {
    this.dispatcher = dispatcher;
    this.dataMimeType = dataMimeType;
    this.maxRequestSize = dispatcher.maxMessageSize();
    this.maxResponseSize = settings.maxMessageSize();
    this.maxConcurrentStreams = settings.maxConcurrentStreams();
    this.idleTimeout = settings.idleTimeout();
    this.closeConnection = closeConnection;
  }

  /** The connection is set up: its idle timer runs until the first request. */
  void start() {
    armIdleTimer();
  }

  /** The connection closed: no timer is left behind. */
  void stopIdleTimer() {
    stopped = true;
    Disposable timer = idleTimer.getAndSet(null);
    if (timer != null) {
      timer.dispose();
    }
  }

  /**
   * Counts a request in; false, and nothing counted, when the connection already has its maximum.
   */
  private boolean acquire() {
    if (open.incrementAndGet() > maxConcurrentStreams) {
      open.decrementAndGet();
      return false;
    }
    // read before the swap: with no idle timeout (the default) there is never a timer to stop
    if (idleTimer.get() != null) {
      Disposable timer = idleTimer.getAndSet(null);
      if (timer != null) {
        timer.dispose();
      }
    }
    return true;
  }

  private void release() {
    if (open.decrementAndGet() == 0) {
      armIdleTimer();
    }
  }

  private void armIdleTimer() {
    if (idleTimeout.isZero() || stopped) {
      return;
    }
    Disposable timer =
        Schedulers.parallel()
            .schedule(this::closeIfIdle, idleTimeout.toNanos(), TimeUnit.NANOSECONDS);
    Disposable previous = idleTimer.getAndSet(timer);
    if (previous != null) {
      previous.dispose();
    }
  }

  /** A request that came in after the timer was armed keeps the connection open. */
  private void closeIfIdle() {
    if (open.get() == 0 && !stopped) {
      logger.debug(
          "closing a connection idle for {} (vireo.server.idle-timeout)",
          Values.format(idleTimeout));
      closeConnection.run();
    }
  }

  private VireoException exhausted() {
    return VireoException.of(
        Status.RESOURCE_EXHAUSTED,
        "too many requests open on this connection (expected: at most %d at once, vireo.server.max-concurrent-streams)",
        maxConcurrentStreams);
  }

  @Override
  public Mono<Void> fireAndForget(Payload payload) {
    if (!acquire()) {
      payload.release();
      logger.debug("fire-and-forget dropped: {}", exhausted().getMessage());
      return Mono.empty();
    }
    Mono<Void> result;
    try {
      result = dispatcher.fireAndForget(request(payload));
    } catch (RuntimeException e) {
      result = Mono.error(e);
    }
    return Answers.none(result, releaser);
  }

  @Override
  public Mono<Payload> requestResponse(Payload payload) {
    if (!acquire()) {
      payload.release();
      return Mono.error(Errors.toWire(exhausted()));
    }
    Mono<byte[]> response;
    try {
      response = dispatcher.requestResponse(request(payload));
    } catch (RuntimeException e) {
      release();
      return Mono.error(Errors.toWire(e));
    }
    return Answers.one(response, maxResponseSize, releaser);
  }

  @Override
  public Flux<Payload> requestStream(Payload payload) {
    if (!acquire()) {
      payload.release();
      return Flux.error(Errors.toWire(exhausted()));
    }
    Flux<byte[]> responses;
    try {
      responses = dispatcher.requestStream(request(payload));
    } catch (RuntimeException e) {
      release();
      return Flux.error(Errors.toWire(e));
    }
    return Answers.many(responses, maxResponseSize, releaser);
  }

  /** The first payload is the head (metadata, empty data); each later one is a request message. */
  @Override
  public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
    return Flux.from(payloads)
        .switchOnFirst(
            (first, messages) -> {
              Payload head = first.get();
              if (head == null) {
                Throwable error = first.getThrowable();
                return error == null ? Flux.empty() : Flux.error(Errors.toWire(error));
              }
              Flux<byte[]> responses;
              // An error the requester sent ends its side of the stream: it expects no answer to
              // it.
              AtomicBoolean requesterFailed = new AtomicBoolean();
              Frame frame;
              try {
                frame = head(head);
              } catch (RuntimeException e) {
                return Flux.error(Errors.toWire(e));
              }
              if (!acquire()) {
                return Flux.error(Errors.toWire(exhausted()));
              }
              try {
                Flux<byte[]> requests =
                    messages
                        .skip(1)
                        .doOnError(error -> requesterFailed.set(true))
                        .handle(this::message);
                responses = dispatcher.requestChannel(frame, requests);
              } catch (RuntimeException e) {
                release();
                return Flux.error(Errors.toWire(e));
              }
              return Answers.channel(responses, maxResponseSize, releaser, requesterFailed);
            });
  }

  /** Decodes a request and releases its payload; fails when it is malformed or too large. */
  private Frame request(Payload payload) {
    try {
      ByteBuf data = payload.data();
      int size = data.readableBytes();
      if (size > maxRequestSize) {
        throw Errors.tooLarge("request", size, maxRequestSize);
      }
      return WireMetadata.decode(
          payload.hasMetadata() ? payload.metadata() : null, dataMimeType, bytes(data, size));
    } finally {
      payload.release();
    }
  }

  /** A channel's head: metadata only, its data is ignored. */
  private Frame head(Payload payload) {
    try {
      return WireMetadata.decode(
          payload.hasMetadata() ? payload.metadata() : null, dataMimeType, EMPTY);
    } finally {
      payload.release();
    }
  }

  private void message(Payload payload, SynchronousSink<byte[]> sink) {
    try {
      ByteBuf data = payload.data();
      int size = data.readableBytes();
      if (size > maxRequestSize) {
        sink.error(Errors.tooLarge("request message", size, maxRequestSize));
      } else {
        sink.next(bytes(data, size));
      }
    } finally {
      payload.release();
    }
  }

  static byte[] bytes(ByteBuf data, int size) {
    if (size == 0) {
      return EMPTY;
    }
    byte[] bytes = new byte[size];
    data.getBytes(data.readerIndex(), bytes);
    return bytes;
  }
}
