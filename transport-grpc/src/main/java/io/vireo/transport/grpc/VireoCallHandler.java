package io.vireo.transport.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.vireo.CallKind;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.transport.Dispatcher;
import io.vireo.transport.Frame;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Serves one route: turns each gRPC call into a frame for the dispatcher and its answer back into
 * gRPC messages and a status. Runs on the transport's thread ({@code directExecutor}): Vireo's
 * handlers do not block.
 */
final class VireoCallHandler implements ServerCallHandler<byte[], byte[]> {
  private static final Logger log = LoggerFactory.getLogger(VireoCallHandler.class);

  private final Route route;
  private final CallKind kind;
  private final Dispatcher dispatcher;
  private final int prefetch;
  private final int onReadyThreshold;

  VireoCallHandler(
      Route route, CallKind kind, Dispatcher dispatcher, int prefetch, int onReadyThreshold) {
    this.route = route;
    this.kind = kind;
    this.dispatcher = dispatcher;
    this.prefetch = prefetch;
    this.onReadyThreshold = onReadyThreshold;
  }

  @Override
  public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata metadata) {
    call.setOnReadyThreshold(onReadyThreshold);
    Headers headers = Wire.headers(metadata);
    String contentType = Wire.contentType(metadata);
    Responses responses =
        new Responses(call, prefetch, kind == CallKind.UNARY || kind == CallKind.CLIENT_STREAM);
    if (kind.clientStreams()) {
      return new StreamListener(call, Frame.head(route, contentType, headers), responses);
    }
    return new SingleListener(call, route, contentType, headers, responses);
  }

  /**
   * Sends the dispatcher's answers as gRPC messages while the call is ready; ends the call with its
   * status.
   */
  private final class Responses extends Outbound {
    private final ServerCall<byte[], byte[]> call;
    private final boolean exactlyOne;
    private boolean headersSent;
    private int sent;

    Responses(ServerCall<byte[], byte[]> call, int prefetch, boolean exactlyOne) {
      super(prefetch);
      this.call = call;
      this.exactlyOne = exactlyOne;
    }

    @Override
    protected boolean ready() {
      return call.isReady();
    }

    @Override
    protected void send(byte[] message) {
      if (call.isCancelled()) {
        return;
      }
      sendHeaders();
      call.sendMessage(message);
      sent++;
    }

    private void sendHeaders() {
      if (!headersSent) {
        headersSent = true;
        call.sendHeaders(new Metadata());
      }
    }

    @Override
    protected void finish() {
      if (exactlyOne && sent == 0) {
        close(
            io.grpc.Status.INTERNAL.withDescription(
                "handler of " + route + " completed without a response"));
      } else {
        close(io.grpc.Status.OK);
      }
    }

    @Override
    protected void fail(Throwable error) {
      close(Wire.status(error));
    }

    void close(io.grpc.Status status) {
      if (call.isCancelled()) {
        return;
      }
      try {
        call.close(status, new Metadata());
      } catch (IllegalStateException alreadyClosed) {
        log.debug("{}: call already closed, {} not sent", route, status.getCode());
      }
    }
  }

  /** Unary, fire-and-forget and server-stream calls: one request, then the answer. */
  private final class SingleListener extends ServerCall.Listener<byte[]> {
    private final ServerCall<byte[], byte[]> call;
    private final Route route;
    private final String contentType;
    private final Headers headers;
    private final Responses responses;
    private byte @Nullable [] request;
    private boolean failed;

    SingleListener(
        ServerCall<byte[], byte[]> call,
        Route route,
        String contentType,
        Headers headers,
        Responses responses) {
      this.call = call;
      this.route = route;
      this.contentType = contentType;
      this.headers = headers;
      this.responses = responses;
      // two, so that a second request is seen and refused
      call.request(2);
    }

    @Override
    public void onMessage(byte[] message) {
      if (failed) {
        return;
      }
      if (request != null) {
        failed = true;
        responses.close(
            io.grpc.Status.INTERNAL.withDescription(
                route + " takes one request; the caller sent more"));
        return;
      }
      request = message;
    }

    @Override
    public void onHalfClose() {
      if (failed) {
        return;
      }
      byte[] data = request;
      if (data == null) {
        failed = true;
        responses.close(
            io.grpc.Status.INTERNAL.withDescription(
                route + " takes one request; the caller sent none"));
        return;
      }
      Frame frame = new Frame(route, contentType, headers, data);
      switch (kind) {
        case UNARY:
          // no Mono.defer per call: a dispatcher that throws instead of signalling is caught here
          Mono<byte[]> answer;
          try {
            answer = dispatcher.requestResponse(frame);
          } catch (RuntimeException e) {
            answer = Mono.error(e);
          }
          answer.subscribe(responses);
          break;
        case FIRE_AND_FORGET:
          // answered at once; the handler runs on without the caller, as on any transport
          responses.send(Bytes.EMPTY);
          responses.close(io.grpc.Status.OK);
          Mono.defer(() -> dispatcher.fireAndForget(frame))
              .subscribe(
                  null, e -> log.debug("{}: fire-and-forget failed: {}", route, e.toString()));
          break;
        default:
          Flux<byte[]> answers;
          try {
            answers = dispatcher.requestStream(frame);
          } catch (RuntimeException e) {
            answers = Flux.error(e);
          }
          answers.subscribe(responses);
          break;
      }
    }

    @Override
    public void onReady() {
      responses.onReady();
    }

    @Override
    public void onCancel() {
      responses.stop();
    }
  }

  /**
   * Client-stream and bidi calls: the requests are a flux whose demand is {@code call.request(n)}.
   */
  private final class StreamListener extends ServerCall.Listener<byte[]> {
    private final Responses responses;
    private final Inbound requests;

    StreamListener(ServerCall<byte[], byte[]> call, Frame head, Responses responses) {
      this.responses = responses;
      this.requests =
          new Inbound() {
            @Override
            protected void requestMessages(int n) {
              call.request(n);
            }

            @Override
            protected void cancelled() {
              // the handler wants no more requests; it may still answer, so the call stays open
            }
          };
      Flux<byte[]> answers;
      try {
        answers = dispatcher.requestChannel(head, requests);
      } catch (RuntimeException e) {
        answers = Flux.error(e);
      }
      answers.subscribe(responses);
    }

    @Override
    public void onMessage(byte[] message) {
      requests.deliver(message);
    }

    @Override
    public void onHalfClose() {
      requests.completed();
    }

    @Override
    public void onReady() {
      responses.onReady();
    }

    @Override
    public void onCancel() {
      requests.failed(VireoException.of(Status.CANCELLED, "the caller cancelled %s", route));
      responses.stop();
    }
  }
}
