package io.vireo.gateway.internal;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;
import java.util.function.Supplier;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * A request body as one array, copied buffer by buffer as it arrives, with the size limit checked
 * on the way: one subscriber per request (it was a defer, a handle, a doOnNext, a then and a
 * callable, with an array per buffer and a second copy at the end). The array is sized by the
 * declared length when there is one, so a body that arrives as declared is copied once.
 */
final class WholeBody extends Mono<byte[]> {
  private final Flux<ByteBuf> source;
  private final long max;
  private final long declared;
  private final Supplier<? extends RuntimeException> tooLarge;

  /** {@code declared}: the Content-Length, or -1 when none. */
  WholeBody(
      Flux<ByteBuf> source,
      long max,
      long declared,
      Supplier<? extends RuntimeException> tooLarge) {
    this.source = source;
    this.max = max;
    this.declared = declared;
    this.tooLarge = tooLarge;
  }

  @Override
  public void subscribe(CoreSubscriber<? super byte[]> actual) {
    source.subscribe(new Collector(actual, this));
  }

  private static final class Collector extends Operators.MonoSubscriber<ByteBuf, byte[]> {
    private final WholeBody body;
    private Subscription upstream;
    private byte[] bytes;
    private int size;
    private boolean done;

    Collector(CoreSubscriber<? super byte[]> actual, WholeBody body) {
      super(actual);
      this.body = body;
      this.bytes = body.declared > 0 ? new byte[(int) body.declared] : new byte[0];
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
        s.request(Long.MAX_VALUE);
      }
    }

    @Override
    public void onNext(ByteBuf buf) {
      if (done) {
        return;
      }
      int length = buf.readableBytes();
      if ((long) size + length > body.max) {
        done = true;
        upstream.cancel();
        actual.onError(body.tooLarge.get());
        return;
      }
      if (size + length > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(size + length, bytes.length * 2));
      }
      buf.getBytes(buf.readerIndex(), bytes, size, length);
      size += length;
    }

    @Override
    public void onError(Throwable error) {
      if (done) {
        Operators.onErrorDropped(error, actual.currentContext());
        return;
      }
      done = true;
      actual.onError(error);
    }

    @Override
    public void onComplete() {
      if (done) {
        return;
      }
      done = true;
      complete(size == bytes.length ? bytes : Arrays.copyOf(bytes, size));
    }

    @Override
    public void cancel() {
      super.cancel();
      upstream.cancel();
    }
  }
}
