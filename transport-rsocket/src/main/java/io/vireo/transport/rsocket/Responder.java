package io.vireo.transport.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.rsocket.Payload;
import io.rsocket.RSocket;
import io.rsocket.util.ByteBufPayload;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;

/**
 * The server side of one connection: turns each request into a {@link Frame} for the
 * {@link Dispatcher} and its answers into payloads. Request payloads are copied into arrays and
 * released at once; answers go out as wrapped arrays, without a copy.
 */
final class Responder implements RSocket {
  private static final Logger logger = LoggerFactory.getLogger(Responder.class);
  private static final byte[] EMPTY = new byte[0];

  private final Dispatcher dispatcher;
  private final String dataMimeType;
  private final int maxRequestSize;
  private final int maxResponseSize;

  Responder(Dispatcher dispatcher, String dataMimeType, Settings settings) {
    this.dispatcher = dispatcher;
    this.dataMimeType = dataMimeType;
    this.maxRequestSize = dispatcher.maxMessageSize();
    this.maxResponseSize = settings.maxMessageSize();
  }

  @Override
  public Mono<Void> fireAndForget(Payload payload) {
    Mono<Void> result;
    try {
      result = dispatcher.fireAndForget(request(payload));
    } catch (RuntimeException e) {
      result = Mono.error(e);
    }
    return result.onErrorResume(error -> {
      logger.debug("fire-and-forget failed: {}", error.toString());
      return Mono.empty();
    });
  }

  @Override
  public Mono<Payload> requestResponse(Payload payload) {
    Mono<byte[]> response;
    try {
      response = dispatcher.requestResponse(request(payload));
    } catch (RuntimeException e) {
      return Mono.error(Errors.toWire(e));
    }
    return response.handle(this::response).onErrorMap(Errors::toWire);
  }

  @Override
  public Flux<Payload> requestStream(Payload payload) {
    Flux<byte[]> responses;
    try {
      responses = dispatcher.requestStream(request(payload));
    } catch (RuntimeException e) {
      return Flux.error(Errors.toWire(e));
    }
    return responses.handle(this::response).onErrorMap(Errors::toWire);
  }

  /** The first payload is the head (metadata, empty data); each later one is a request message. */
  @Override
  public Flux<Payload> requestChannel(Publisher<Payload> payloads) {
    return Flux.from(payloads).switchOnFirst((first, messages) -> {
      Payload head = first.get();
      if (head == null) {
        Throwable error = first.getThrowable();
        return error == null ? Flux.empty() : Flux.error(Errors.toWire(error));
      }
      Flux<byte[]> responses;
      // An error the requester sent ends its side of the stream: it expects no answer to it.
      AtomicBoolean requesterFailed = new AtomicBoolean();
      try {
        Frame frame = head(head);
        Flux<byte[]> requests = messages.skip(1)
            .doOnError(error -> requesterFailed.set(true))
            .handle(this::message);
        responses = dispatcher.requestChannel(frame, requests);
      } catch (RuntimeException e) {
        return Flux.error(Errors.toWire(e));
      }
      return responses.handle(this::response)
          .onErrorResume(error -> requesterFailed.get() ? Flux.empty() : Flux.error(Errors.toWire(error)));
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
      return WireMetadata.decode(payload.hasMetadata() ? payload.metadata() : null, dataMimeType, bytes(data, size));
    } finally {
      payload.release();
    }
  }

  /** A channel's head: metadata only, its data is ignored. */
  private Frame head(Payload payload) {
    try {
      return WireMetadata.decode(payload.hasMetadata() ? payload.metadata() : null, dataMimeType, EMPTY);
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

  private void response(byte[] response, SynchronousSink<Payload> sink) {
    if (response.length > maxResponseSize) {
      sink.error(Errors.tooLarge("response", response.length, maxResponseSize));
    } else {
      sink.next(ByteBufPayload.create(Unpooled.wrappedBuffer(response)));
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
