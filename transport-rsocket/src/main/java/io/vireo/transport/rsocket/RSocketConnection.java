package io.vireo.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.rsocket.DuplexConnection;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.core.RSocketConnector;
import io.rsocket.frame.decoder.PayloadDecoder;
import io.rsocket.transport.ClientTransport;
import io.rsocket.util.ByteBufPayload;
import io.vireo.VireoException;
import io.vireo.transport.Connection;
import io.vireo.transport.Frame;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.SynchronousSink;

/**
 * One TCP connection to one instance, multiplexing every call to it.
 *
 * <p>The TCP connection is made by {@code connect}, so that an unreachable instance fails there;
 * the RSocket SETUP goes out with the first call, whose content type becomes the connection's data
 * mime type (later calls with another content type carry a mime-type entry). A connection that
 * carries no call for {@link #IDLE_SETUP_DELAY} sends SETUP anyway, before a server's first-frame
 * timeout (rsocket-java: one minute) closes it.
 */
final class RSocketConnection implements Connection {
  private static final Logger logger = LoggerFactory.getLogger(RSocketConnection.class);
  static final Duration IDLE_SETUP_DELAY = Duration.ofSeconds(15);

  @SuppressWarnings("rawtypes")
  private static final AtomicReferenceFieldUpdater<RSocketConnection, Mono> SETUP =
      AtomicReferenceFieldUpdater.newUpdater(RSocketConnection.class, Mono.class, "setup");

  private final DuplexConnection duplex;
  private final String address;
  private final Settings settings;
  private final int maxMessageSize;
  private final Disposable idleSetup;

  /** Set once SETUP is sent: the hot path reads only this. */
  private volatile @Nullable Session session;

  /** The one SETUP, shared by the calls that race for it. */
  private volatile @Nullable Mono<Session> setup;

  private record Session(RSocket rsocket, String dataMimeType) {}

  RSocketConnection(DuplexConnection duplex, String address, Settings settings) {
    this.duplex = duplex;
    this.address = address;
    this.settings = settings;
    this.maxMessageSize = settings.maxMessageSize();
    this.idleSetup =
        Mono.delay(IDLE_SETUP_DELAY)
            .flatMap(tick -> setup(settings.idleDataMimeType()))
            .subscribe(
                null, error -> logger.debug("SETUP to {} failed: {}", address, error.toString()));
    duplex.onClose().subscribe(null, error -> idleSetup.dispose(), idleSetup::dispose);
  }

  @Override
  public Mono<byte[]> requestResponse(Frame request) {
    int size = request.data().length;
    if (size > maxMessageSize) {
      return Mono.error(Errors.tooLarge("request", size, maxMessageSize));
    }
    return new Exchange<>(this, request, true);
  }

  @Override
  public Mono<Void> fireAndForget(Frame request) {
    int size = request.data().length;
    if (size > maxMessageSize) {
      return Mono.error(Errors.tooLarge("request", size, maxMessageSize));
    }
    return new Exchange<>(this, request, false);
  }

  @Override
  public Flux<byte[]> requestStream(Frame request) {
    int size = request.data().length;
    if (size > maxMessageSize) {
      return Flux.error(Errors.tooLarge("request", size, maxMessageSize));
    }
    return new Streamed(this, request, null);
  }

  @Override
  public Flux<byte[]> requestChannel(Frame head, Flux<byte[]> requests) {
    return new Streamed(this, head, requests);
  }

  @Override
  public Mono<Void> onClose() {
    return duplex.onClose();
  }

  @Override
  public void dispose() {
    idleSetup.dispose();
    Session current = session;
    if (current != null) {
      current.rsocket().dispose();
    }
    duplex.dispose();
  }

  @Override
  public boolean isDisposed() {
    return duplex.isDisposed();
  }

  @Override
  public String toString() {
    return "RSocketConnection{" + address + "}";
  }

  private Mono<Payload> requestResponse(Session session, Frame request) {
    if (duplex.isDisposed()) {
      return Mono.error(Errors.closed(address));
    }
    return session.rsocket().requestResponse(payload(request, session));
  }

  private Mono<Void> fireAndForget(Session session, Frame request) {
    if (duplex.isDisposed()) {
      return Mono.error(Errors.closed(address));
    }
    return session.rsocket().fireAndForget(payload(request, session));
  }

  private Flux<Payload> requestStream(Session session, Frame request) {
    if (duplex.isDisposed()) {
      return Flux.error(Errors.closed(address));
    }
    return session.rsocket().requestStream(payload(request, session));
  }

  private Flux<Payload> requestChannel(Session session, Frame head, Flux<byte[]> requests) {
    if (duplex.isDisposed()) {
      return Flux.error(Errors.closed(address));
    }
    // The head carries the metadata and no data, so that an empty request stream and an
    // empty first message both stay expressible.
    Payload first =
        ByteBufPayload.create(
            Unpooled.EMPTY_BUFFER, WireMetadata.encode(head, session.dataMimeType()));
    return session
        .rsocket()
        .requestChannel(requests.<Payload>handle(this::message).startWith(first));
  }

  /**
   * A request's metadata and data in one buffer, as two slices of it. Built when the call is
   * subscribed and handed to rsocket-java at once, which releases it however the call ends.
   *
   * <p>Which buffer depends on the calling thread. On a Netty thread (an event loop: the answer of
   * one call sending the next) it is a pooled direct buffer: that thread allocates from its own
   * magazine, and the write needs no copy (unary at 64 in flight: 346k calls/s, against 299k with
   * heap buffers, three alternating pairs). On any other thread (an application's, a
   * fire-and-forget producer's) it is a heap buffer, as the benchmarks' raw rsocket-java client
   * sends: a direct one costs that thread a lock in the allocator's shared magazines and the event
   * loop a release across threads, more than the loop's copy into a buffer of its own
   * (fire-and-forget: 442k messages/s with direct buffers, 508k with heap ones, five alternating
   * pairs, heap faster in each).
   */
  private static Payload payload(Frame request, Session session) {
    byte[] data = request.data();
    int capacity = WireMetadata.ROOM + data.length;
    ByteBuf buf =
        FastThreadLocalThread.currentThreadHasFastThreadLocal()
            ? ByteBufAllocator.DEFAULT.directBuffer(capacity)
            : Unpooled.buffer(capacity);
    try {
      WireMetadata.write(request, session.dataMimeType(), buf);
      int metadataLength = buf.writerIndex();
      buf.writeBytes(data);
      return ByteBufPayload.create(
          buf.retainedSlice(metadataLength, data.length), buf.retainedSlice(0, metadataLength));
    } finally {
      buf.release();
    }
  }

  private void message(byte[] message, SynchronousSink<Payload> sink) {
    if (message.length > maxMessageSize) {
      sink.error(Errors.tooLarge("request message", message.length, maxMessageSize));
    } else {
      sink.next(ByteBufPayload.create(Unpooled.wrappedBuffer(message)));
    }
  }

  private Throwable error(Throwable error) {
    return Errors.fromWire(error, address, duplex.isDisposed());
  }

  @SuppressWarnings("unchecked")
  private Mono<Session> setup(String dataMimeType) {
    Mono<Session> existing = setup;
    if (existing != null) {
      return existing;
    }
    if (duplex.isDisposed()) {
      return Mono.error(Errors.closed(address));
    }
    Mono<Session> created =
        RSocketConnector.create()
            .metadataMimeType(WireMetadata.COMPOSITE_MIME_TYPE)
            .dataMimeType(dataMimeType)
            .keepAlive(settings.keepAliveInterval(), settings.keepAliveMaxLifetime())
            .payloadDecoder(PayloadDecoder.ZERO_COPY)
            .fragment(settings.mtu())
            .maxInboundPayloadSize(settings.maxInboundPayloadSize())
            .connect(existingConnection())
            .map(
                rsocket -> {
                  Session ready = new Session(rsocket, dataMimeType);
                  session = ready;
                  return ready;
                })
            .onErrorMap(
                error -> !(error instanceof VireoException),
                error -> Errors.fromWire(error, address, true))
            .doOnError(error -> duplex.dispose())
            .cache();
    if (SETUP.compareAndSet(this, null, created)) {
      return created;
    }
    return (Mono<Session>) SETUP.get(this);
  }

  /** A client transport whose one connection is the TCP connection made already. */
  private ClientTransport existingConnection() {
    return () -> Mono.just(duplex);
  }

  /**
   * A request-response or fire-and-forget call, as one operator: sent when subscribed (after SETUP
   * if this is the connection's first call), the answer checked against the size limit and copied
   * out of its frame, errors translated to Vireo's. {@code defer}, {@code handle} and {@code
   * onErrorMap} would be three operators and their subscribers per call.
   */
  private static final class Exchange<T> extends Mono<T> {
    private final RSocketConnection connection;
    private final Frame request;
    private final boolean answered;

    Exchange(RSocketConnection connection, Frame request, boolean answered) {
      this.connection = connection;
      this.request = request;
      this.answered = answered;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void subscribe(CoreSubscriber<? super T> actual) {
      RSocketConnection c = connection;
      Mono<?> sent;
      try {
        Session current = c.session;
        if (current != null) {
          sent = answered ? c.requestResponse(current, request) : c.fireAndForget(current, request);
        } else {
          sent =
              c.setup(request.contentType())
                  .flatMap(
                      ready ->
                          answered
                              ? c.requestResponse(ready, request)
                              : c.fireAndForget(ready, request));
        }
      } catch (RuntimeException e) {
        Operators.error(actual, c.error(e));
        return;
      }
      ((Mono<Object>) sent).subscribe(new Answer<>(actual, c));
    }
  }

  /**
   * A request stream ({@code requests} null) or channel, as {@link Exchange} is a single answer:
   * requested when subscribed, each answer checked and copied, errors translated, in one operator.
   */
  private static final class Streamed extends Flux<byte[]> {
    private final RSocketConnection connection;
    private final Frame head;
    private final @Nullable Flux<byte[]> requests;

    Streamed(RSocketConnection connection, Frame head, @Nullable Flux<byte[]> requests) {
      this.connection = connection;
      this.head = head;
      this.requests = requests;
    }

    @Override
    public void subscribe(CoreSubscriber<? super byte[]> actual) {
      RSocketConnection c = connection;
      Flux<byte[]> messages = requests;
      Flux<Payload> sent;
      try {
        Session current = c.session;
        if (current != null) {
          sent =
              messages == null
                  ? c.requestStream(current, head)
                  : c.requestChannel(current, head, messages);
        } else {
          sent =
              c.setup(head.contentType())
                  .flatMapMany(
                      ready ->
                          messages == null
                              ? c.requestStream(ready, head)
                              : c.requestChannel(ready, head, messages));
        }
      } catch (RuntimeException e) {
        Operators.error(actual, c.error(e));
        return;
      }
      sent.subscribe(new Answer<>(actual, c));
    }
  }

  /**
   * The subscriber of {@link Exchange} and {@link Streamed}: each payload to bytes, errors
   * translated, once.
   */
  private static final class Answer<T> extends Relay<Object, T> {
    private final RSocketConnection connection;
    private boolean done;

    Answer(CoreSubscriber<? super T> actual, RSocketConnection connection) {
      super(actual);
      this.connection = connection;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onNext(Object next) {
      Payload payload = (Payload) next;
      if (done) {
        payload.release();
        return;
      }
      byte[] bytes;
      try {
        ByteBuf data = payload.data();
        int size = data.readableBytes();
        if (size > connection.maxMessageSize) {
          done = true;
          cancelUpstream();
          actual.onError(Errors.tooLarge("response", size, connection.maxMessageSize));
          return;
        }
        bytes = Responder.bytes(data, size);
      } finally {
        payload.release();
      }
      actual.onNext((T) bytes);
    }

    @Override
    public void onError(Throwable error) {
      if (done) {
        Operators.onErrorDropped(error, actual.currentContext());
        return;
      }
      done = true;
      actual.onError(connection.error(error));
    }

    @Override
    public void onComplete() {
      if (!done) {
        done = true;
        actual.onComplete();
      }
    }
  }
}
