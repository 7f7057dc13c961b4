package io.vireo.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.rsocket.Payload;
import io.rsocket.util.ByteBufPayload;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CorePublisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * The responder's answers to one request, as one operator: each answer checked against the size
 * limit and framed, an error turned into the wire's, the request's slot on the connection released
 * once however the call ends. {@code handle}, {@code onErrorMap} and {@code doFinally} would be
 * three operators and their subscribers per call. Each subscribes to its source as Reactor's own
 * operators do, through {@link CorePublisher#subscribe(CoreSubscriber)}: the public {@code
 * subscribe} looks up assembly hooks and context propagation on every call, a tenth of a
 * fire-and-forget server's time, for publishers that are the framework's own.
 */
final class Answers {
  private static final Logger logger = LoggerFactory.getLogger(Answers.class);

  private Answers() {}

  /** A request-response's answer. */
  static Mono<Payload> one(Mono<byte[]> answer, int maxResponseSize, Runnable release) {
    return new One(answer, maxResponseSize, release);
  }

  /** A request stream's answers. */
  static Flux<Payload> many(Flux<byte[]> answers, int maxResponseSize, Runnable release) {
    return new Many(answers, maxResponseSize, release, null);
  }

  /**
   * A request channel's answers; once {@code requesterFailed} is set, an error ends the answers
   * quietly: the requester that failed its side expects no answer to it.
   */
  static Flux<Payload> channel(
      Flux<byte[]> answers, int maxResponseSize, Runnable release, AtomicBoolean requesterFailed) {
    return new Many(answers, maxResponseSize, release, requesterFailed);
  }

  /** A fire-and-forget's end: its errors are logged at DEBUG, there is no one to tell. */
  static Mono<Void> none(Mono<Void> done, Runnable release) {
    return new None(done, release);
  }

  private static final class One extends Mono<Payload> {
    final CorePublisher<byte[]> source;
    final int maxResponseSize;
    final Runnable release;

    One(CorePublisher<byte[]> source, int maxResponseSize, Runnable release) {
      this.source = source;
      this.maxResponseSize = maxResponseSize;
      this.release = release;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Payload> actual) {
      source.subscribe(new Framing<>(actual, maxResponseSize, release, false));
    }
  }

  private static final class Many extends Flux<Payload> {
    final CorePublisher<byte[]> source;
    final int maxResponseSize;
    final Runnable release;
    final @Nullable AtomicBoolean requesterFailed;

    Many(
        CorePublisher<byte[]> source,
        int maxResponseSize,
        Runnable release,
        @Nullable AtomicBoolean requesterFailed) {
      this.source = source;
      this.maxResponseSize = maxResponseSize;
      this.release = release;
      this.requesterFailed = requesterFailed;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Payload> actual) {
      Framing<byte[], Payload> framing = new Framing<>(actual, maxResponseSize, release, false);
      framing.requesterFailed = requesterFailed;
      source.subscribe(framing);
    }
  }

  private static final class None extends Mono<Void> {
    final CorePublisher<Void> source;
    final Runnable release;

    None(CorePublisher<Void> source, Runnable release) {
      this.source = source;
      this.release = release;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Void> actual) {
      source.subscribe(new Framing<>(actual, 0, release, true));
    }
  }

  private static final class Framing<I, O> extends Relay<I, O> {
    @SuppressWarnings("rawtypes")
    private static final AtomicIntegerFieldUpdater<Framing> RELEASED =
        AtomicIntegerFieldUpdater.newUpdater(Framing.class, "released");

    private final int maxResponseSize;
    private final Runnable release;
    private final boolean quiet;
    @Nullable AtomicBoolean requesterFailed;
    private boolean done;
    private volatile int released;

    Framing(
        CoreSubscriber<? super O> actual, int maxResponseSize, Runnable release, boolean quiet) {
      super(actual);
      this.maxResponseSize = maxResponseSize;
      this.release = release;
      this.quiet = quiet;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onNext(I next) {
      if (done) {
        return;
      }
      byte[] response = (byte[]) next;
      if (response.length > maxResponseSize) {
        cancelUpstream();
        onError(Errors.tooLarge("response", response.length, maxResponseSize));
        return;
      }
      // direct: a heap buffer would be copied into one by the event loop before the write
      ByteBuf data = ByteBufAllocator.DEFAULT.directBuffer(response.length).writeBytes(response);
      actual.onNext((O) ByteBufPayload.create(data));
    }

    @Override
    public void onError(Throwable error) {
      if (done) {
        Operators.onErrorDropped(error, actual.currentContext());
        return;
      }
      done = true;
      try {
        if (quiet) {
          logger.debug("fire-and-forget failed: {}", error.toString());
          actual.onComplete();
        } else if (requesterFailed != null && requesterFailed.get()) {
          actual.onComplete();
        } else {
          actual.onError(Errors.toWire(error));
        }
      } finally {
        release();
      }
    }

    @Override
    public void onComplete() {
      if (done) {
        return;
      }
      done = true;
      try {
        actual.onComplete();
      } finally {
        release();
      }
    }

    @Override
    public void cancel() {
      cancelUpstream();
      release();
    }

    private void release() {
      if (RELEASED.compareAndSet(this, 0, 1)) {
        release.run();
      }
    }
  }
}
