package io.vireo.gateway.internal;

import com.google.protobuf.Descriptors.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vireo.CallKind;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.client.GenericClient;
import io.vireo.reflection.ServiceSchema;
import io.vireo.transport.grpc.GrpcNames;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SynchronousSink;
import reactor.util.context.Context;

/**
 * gRPC in, any transport out: a stock gRPC client's call ({@code POST /<pkg.Service>/<Method>},
 * {@code application/grpc}, over HTTP/2) goes to whichever registered service serves that proto
 * service, over that service's transport; messages pass as protobuf bytes, the status comes back in
 * the trailers.
 */
final class GrpcCalls {
  private static final int MAX_MESSAGE = 16 * 1024 * 1024;

  private final RpcCalls calls;
  private final Catalog catalog;

  GrpcCalls(RpcCalls calls, Catalog catalog) {
    this.calls = calls;
    this.catalog = catalog;
  }

  static boolean isGrpc(Exchange exchange) {
    String type = exchange.header("content-type").orElse("");
    return exchange.method().equals(HttpMethod.POST)
        && type.startsWith("application/grpc")
        && exchange.path().indexOf('/', 1) > 0;
  }

  static String protoService(String path) {
    int slash = path.indexOf('/', 1);
    return slash < 0 ? path.substring(1) : path.substring(1, slash);
  }

  Mono<Reply> handle(Exchange exchange) {
    Route route;
    try {
      route = GrpcNames.route(exchange.path());
    } catch (IllegalArgumentException e) {
      return Mono.just(trailersOnly(Status.UNIMPLEMENTED, e.getMessage()));
    }
    if (exchange.header("content-type").orElse("").startsWith("application/grpc+")
        && !exchange.header("content-type").get().equals("application/grpc+proto")) {
      return Mono.just(
          trailersOnly(
              Status.UNIMPLEMENTED,
              "content type "
                  + exchange.header("content-type").get()
                  + " (expected: application/grpc)"));
    }
    Mono<String> serviceName =
        Mono.defer(() -> Mono.justOrEmpty(catalog.serviceOf(route.service())))
            .switchIfEmpty(
                catalog
                    .refreshOnMiss()
                    .then(Mono.defer(() -> Mono.justOrEmpty(catalog.serviceOf(route.service())))));
    return serviceName
        .flatMap(name -> calls.schema(name).map(schema -> call(exchange, name, schema, route)))
        .switchIfEmpty(
            Mono.fromSupplier(
                () -> trailersOnly(Status.UNIMPLEMENTED, "no service serves " + route.service())))
        .onErrorResume(
            e -> {
              VireoException vireo = VireoException.from(e);
              return Mono.just(trailersOnly(vireo.status(), vireo.getMessage()));
            });
  }

  private Reply call(Exchange exchange, String name, ServiceSchema schema, Route route) {
    MethodDescriptor method =
        schema
            .method(route.service(), route.method())
            .orElseThrow(
                () ->
                    new VireoException(
                        Status.UNIMPLEMENTED,
                        "method " + GrpcNames.fullMethodName(route) + " not found"));
    GenericClient client = calls.client(name);
    Function<Context, Context> options =
        calls.options(exchange, RpcCalls.idempotent(method, exchange.method()));
    Flux<byte[]> requests = deframe(exchange.rawBody());
    CallKind kind = ServiceSchema.kind(method);
    Flux<byte[]> replies =
        switch (kind) {
          case UNARY ->
              requests
                  .next()
                  .switchIfEmpty(
                      Mono.error(() -> new VireoException(Status.INTERNAL, "no request message")))
                  .flatMap(bytes -> client.unary(route, bytes))
                  .flux();
          case SERVER_STREAM ->
              requests
                  .next()
                  .switchIfEmpty(
                      Mono.error(() -> new VireoException(Status.INTERNAL, "no request message")))
                  .flatMapMany(bytes -> client.serverStream(route, bytes));
          case CLIENT_STREAM -> client.clientStream(route, requests).flux();
          default -> client.bidiStream(route, requests);
        };
    AtomicReference<VireoException> failure = new AtomicReference<>();
    Flux<ByteBuf> body =
        replies
            .contextWrite(options)
            .map(GrpcCalls::frame)
            .onErrorResume(
                error -> {
                  failure.set(VireoException.from(error));
                  return Mono.empty();
                });
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("content-type", "application/grpc");
    return Reply.of(
        HttpResponseStatus.OK,
        headers,
        new Reply.Stream(
            body,
            Optional.of(
                trailers -> {
                  VireoException error = failure.get();
                  trailers.set(
                      "grpc-status", Integer.toString(error == null ? 0 : error.status().code()));
                  if (error != null && error.getMessage() != null) {
                    trailers.set("grpc-message", encode(error.getMessage()));
                  }
                }),
            true));
  }

  private static Reply trailersOnly(Status status, String message) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set("content-type", "application/grpc");
    headers.set("grpc-status", Integer.toString(status.code()));
    headers.set("grpc-message", encode(message));
    return Reply.of(HttpResponseStatus.OK, headers, new Reply.Empty()).withStatusOfCall(status);
  }

  /** gRPC's percent-encoding of grpc-message. */
  private static String encode(String message) {
    return URLEncoder.encode(message, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static ByteBuf frame(byte[] message) {
    ByteBuf header = Unpooled.buffer(5);
    header.writeByte(0);
    header.writeInt(message.length);
    return Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(message));
  }

  /** Length-prefixed messages out of the request body's buffers. */
  static Flux<byte[]> deframe(Flux<ByteBuf> body) {
    return Flux.defer(
        () -> {
          CompositeByteBuf pending = Unpooled.compositeBuffer();
          return body.<byte[]>handle(
                  (ByteBuf buf, SynchronousSink<byte[]> sink) -> {
                    pending.addComponent(true, buf);
                    while (pending.readableBytes() >= 5) {
                      int start = pending.readerIndex();
                      byte compressed = pending.getByte(start);
                      long length = pending.getUnsignedInt(start + 1);
                      if (compressed != 0) {
                        sink.error(
                            new VireoException(
                                Status.UNIMPLEMENTED,
                                "compressed messages (expected: grpc-encoding identity)"));
                        return;
                      }
                      if (length > MAX_MESSAGE) {
                        sink.error(
                            new VireoException(
                                Status.RESOURCE_EXHAUSTED,
                                "message of " + length + " bytes (at most " + MAX_MESSAGE + ")"));
                        return;
                      }
                      if (pending.readableBytes() < 5 + length) {
                        break;
                      }
                      pending.skipBytes(5);
                      byte[] message = new byte[(int) length];
                      pending.readBytes(message);
                      pending.discardReadComponents();
                      sink.next(message);
                    }
                  })
              .doFinally(signal -> pending.release());
        });
  }
}
