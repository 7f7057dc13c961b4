package io.vireo.gateway.internal;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vireo.Status;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.netty.http.websocket.WebsocketInbound;
import reactor.netty.http.websocket.WebsocketOutbound;

/**
 * What the gateway answers: a status, headers that filters may still change, and a body that is
 * bytes, a stream (with trailers for gRPC), or a WebSocket session.
 */
public final class Reply {
  public static final String JSON = "application/json";

  /** The body of a reply. */
  public sealed interface Body permits Empty, Bytes, Stream, Socket {}

  public record Empty() implements Body {}

  public record Bytes(byte[] content) implements Body {}

  /**
   * A streamed body; {@code trailers} are set once it ends (gRPC's status); {@code flushEach} sends
   * each buffer at once (message streams) instead of in batches (proxied bodies).
   */
  public record Stream(
      Flux<ByteBuf> content, Optional<Consumer<HttpHeaders>> trailers, boolean flushEach)
      implements Body {}

  /** A WebSocket session instead of an HTTP reply. */
  public record Socket(BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> handler)
      implements Body {}

  private final HttpResponseStatus status;
  private final HttpHeaders headers;
  private final Body body;
  private Status callStatus;

  private Reply(HttpResponseStatus status, HttpHeaders headers, Body body, Status callStatus) {
    this.status = status;
    this.headers = headers;
    this.body = body;
    this.callStatus = callStatus;
  }

  public static Reply of(HttpResponseStatus status, HttpHeaders headers, Body body) {
    return new Reply(status, headers, body, HttpErrors.status(status.code()));
  }

  public static Reply bytes(HttpResponseStatus status, String contentType, byte[] content) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.add(HttpHeaderNames.CONTENT_TYPE, contentType);
    return new Reply(status, headers, new Bytes(content), HttpErrors.status(status.code()));
  }

  public static Reply empty(HttpResponseStatus status) {
    return new Reply(
        status, new DefaultHttpHeaders(), new Empty(), HttpErrors.status(status.code()));
  }

  public static Reply stream(String contentType, Flux<ByteBuf> content) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.add(HttpHeaderNames.CONTENT_TYPE, contentType);
    return new Reply(
        HttpResponseStatus.OK, headers, new Stream(content, Optional.empty(), true), Status.OK);
  }

  public static Reply socket(
      BiFunction<WebsocketInbound, WebsocketOutbound, Publisher<Void>> handler) {
    return new Reply(
        HttpResponseStatus.SWITCHING_PROTOCOLS,
        new DefaultHttpHeaders(),
        new Socket(handler),
        Status.OK);
  }

  public HttpResponseStatus status() {
    return status;
  }

  /** Mutable: filters add and remove headers on the way out. */
  public HttpHeaders headers() {
    return headers;
  }

  public Body body() {
    return body;
  }

  /** The call's status this reply stands for (OK for 2xx), for breakers, metrics and logs. */
  public Status callStatus() {
    return callStatus;
  }

  public Reply withStatusOfCall(Status status) {
    this.callStatus = status;
    return this;
  }

  /** A copy with another body (same status and headers). */
  public Reply withBody(Body body) {
    return new Reply(status, headers, body, callStatus);
  }

  /** A copy with another status (same headers and body). */
  public Reply withStatus(HttpResponseStatus status) {
    return new Reply(status, headers, body, callStatus);
  }

  /** Whether the call failed in a way a breaker counts: 5xx, or a timeout or unavailability. */
  public boolean isServerFailure() {
    return status.code() >= 500
        || callStatus == Status.UNAVAILABLE
        || callStatus == Status.DEADLINE_EXCEEDED
        || callStatus == Status.INTERNAL
        || callStatus == Status.UNKNOWN;
  }
}
