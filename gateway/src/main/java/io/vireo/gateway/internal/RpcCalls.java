package io.vireo.gateway.internal;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors.MethodDescriptor;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vireo.CallKind;
import io.vireo.CallOptions;
import io.vireo.Route;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.client.GenericClient;
import io.vireo.config.Config;
import io.vireo.reflection.SchemaCache;
import io.vireo.reflection.ServiceSchema;
import io.vireo.registry.ServiceInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/**
 * Calls Vireo services for HTTP: JSON in and out by the descriptors learned from the running
 * services (or a descriptor-set file, {@code vireo.gateway.services.<name>.descriptor-set}), every
 * call kind — unary as a JSON reply, server streams as NDJSON or SSE with demand, client and bidi
 * streams over WebSocket (or an NDJSON request body) — through the generic client.
 */
public final class RpcCalls {
  static final String NDJSON = "application/x-ndjson";
  static final String SSE = "text/event-stream";

  private final Service service;
  private final SchemaCache schemas;
  private final Supplier<Config> config;
  private final Map<String, GenericClient> clients = new ConcurrentHashMap<>();
  private final Map<String, Mono<ServiceSchema>> files = new ConcurrentHashMap<>();
  private final Map<ServiceSchema, Transcoder> transcoders =
      Collections.synchronizedMap(new WeakHashMap<>());
  // the last schema's transcoder, past the synchronized map's lock (one per request before)
  private volatile LastTranscoder lastTranscoder;

  private record LastTranscoder(ServiceSchema schema, Transcoder transcoder) {}

  // the descriptor-set key of each service, looked up once per configuration (a config lookup per
  // request was 2.4% of the gateway's CPU); a reload brings a new Config, hence new lookups
  private volatile DescriptorSets descriptorSets = new DescriptorSets(null);

  private record DescriptorSets(Config config, Map<String, Optional<String>> files) {
    DescriptorSets(Config config) {
      this(config, new ConcurrentHashMap<>());
    }
  }

  public RpcCalls(Service service, SchemaCache schemas, Supplier<Config> config) {
    this.service = service;
    this.schemas = schemas;
    this.config = config;
  }

  /**
   * The schema of a registry service: its descriptor-set file when configured, else learned by
   * reflection.
   */
  public Mono<ServiceSchema> schema(String name) {
    Optional<String> file = descriptorSet(name);
    if (file.isPresent()) {
      return files.computeIfAbsent(
          name,
          n ->
              Mono.fromCallable(
                      () ->
                          ServiceSchema.of(
                              DescriptorProtos.FileDescriptorSet.parseFrom(
                                  Files.readAllBytes(Path.of(file.get())))))
                  .onErrorMap(
                      IOException.class,
                      e ->
                          new VireoException(
                              Status.INTERNAL,
                              "vireo.gateway.services."
                                  + n
                                  + ".descriptor-set: "
                                  + file.get()
                                  + " cannot be read (expected: protoc --descriptor_set_out output)",
                              e))
                  .subscribeOn(Schedulers.boundedElastic())
                  .cache());
    }
    return schemas
        .schema(name)
        .onErrorMap(
            e ->
                !(e instanceof VireoException vireo) || vireo.status() != Status.UNAVAILABLE
                    ? e
                    : new VireoException(
                        Status.UNAVAILABLE,
                        "no instance of " + name + " answers (" + e.getMessage() + ")",
                        e));
  }

  /**
   * The schema of a registry service when it is learned and current, without waiting; empty when a
   * descriptor-set file is configured for it, or while it is being learned.
   */
  Optional<ServiceSchema> ready(String name) {
    return descriptorSet(name).isPresent() ? Optional.empty() : schemas.ready(name);
  }

  private Optional<String> descriptorSet(String name) {
    Config current = config.get();
    DescriptorSets sets = descriptorSets;
    if (sets.config() != current) {
      sets = new DescriptorSets(current);
      descriptorSets = sets;
    }
    return sets.files()
        .computeIfAbsent(name, n -> current.get("vireo.gateway.services." + n + ".descriptor-set"));
  }

  public Transcoder transcoder(ServiceSchema schema) {
    LastTranscoder last = lastTranscoder;
    if (last != null && last.schema() == schema) {
      return last.transcoder();
    }
    Transcoder transcoder =
        transcoders.computeIfAbsent(schema, s -> new Transcoder(s.typeRegistry()));
    lastTranscoder = new LastTranscoder(schema, transcoder);
    return transcoder;
  }

  GenericClient client(String name) {
    return clients.computeIfAbsent(name, service::genericClient);
  }

  /**
   * The method {@code endpoint} names ({@code Method} or {@code pkg.Service/Method}) in the schema;
   * 404 when none.
   */
  static MethodDescriptor method(String serviceName, ServiceSchema schema, String endpoint) {
    int slash = endpoint.indexOf('/');
    Optional<MethodDescriptor> method =
        slash < 0
            ? schema.method(endpoint)
            : schema.method(endpoint.substring(0, slash), endpoint.substring(slash + 1));
    if (method.isEmpty()
        && slash < 0
        && schema.methods().stream().filter(m -> m.getName().equals(endpoint)).count() > 1) {
      throw new VireoException(
          Status.NOT_FOUND,
          "method "
              + endpoint
              + " of "
              + serviceName
              + " is ambiguous (expected: /"
              + serviceName
              + "/<package>.<Service>/"
              + endpoint
              + ")");
    }
    return method.orElseThrow(
        () ->
            new VireoException(
                Status.NOT_FOUND, "service " + serviceName + " has no method " + endpoint));
  }

  /** The per-call options: deadline, headers passed on, canary filter, idempotency. */
  Function<Context, Context> options(Exchange exchange, boolean idempotent) {
    return context -> {
      Context result = CallOptions.idempotent(idempotent).apply(context);
      if (exchange.timeout().isPresent()) {
        result = CallOptions.timeout(exchange.timeout().get()).apply(result);
      }
      for (Map.Entry<String, String> header : exchange.headers()) {
        String raw = header.getKey();
        // only authorization, trace context and x- headers pass: the rest without a lower-cased
        // copy of their name
        char first = raw.isEmpty() ? ' ' : Character.toLowerCase(raw.charAt(0));
        if (first != 'a' && first != 't' && first != 'x') {
          continue;
        }
        String name = raw.toLowerCase(Locale.ROOT);
        if (name.equals("authorization")
            || name.equals("traceparent")
            || name.equals("tracestate")
            || name.startsWith("x-")
                && !name.startsWith("x-forwarded-")
                && !name.equals("x-request-timeout")) {
          result = CallOptions.header(name, header.getValue()).apply(result);
        }
      }
      if (exchange.instanceFilter().isPresent()) {
        Predicate<ServiceInstance> keep = exchange.instanceFilter().get();
        result =
            CallOptions.filter((candidates, call) -> candidates.stream().filter(keep).toList())
                .apply(result);
      }
      return result;
    };
  }

  static boolean idempotent(MethodDescriptor method, HttpMethod httpMethod) {
    return httpMethod.equals(HttpMethod.GET) || idempotent(method);
  }

  private static boolean idempotent(MethodDescriptor method) {
    DescriptorProtos.MethodOptions.IdempotencyLevel level =
        method.getOptions().getIdempotencyLevel();
    return level == DescriptorProtos.MethodOptions.IdempotencyLevel.IDEMPOTENT
        || level == DescriptorProtos.MethodOptions.IdempotencyLevel.NO_SIDE_EFFECTS;
  }

  /**
   * What a call of one method needs that does not change from request to request: found once per
   * schema (by the default mapping and configured routes) instead of on every request.
   */
  record Prepared(
      ServiceSchema schema,
      MethodDescriptor method,
      GenericClient client,
      Route route,
      CallKind kind,
      boolean idempotent,
      Transcoder transcoder,
      Function<byte[], byte[]> request,
      Function<byte[], byte[]> reply) {}

  // the prepared calls by service and endpoint; only endpoints that name a method get one, and a
  // schema learned again replaces them as they are asked for
  private final Map<String, Map<String, Prepared>> prepared = new ConcurrentHashMap<>();

  /**
   * The call of {@code endpoint} ({@code Method} or {@code pkg.Service/Method}) of service {@code
   * name} in {@code schema}, JSON in and out; 404 when no method has that name.
   */
  Prepared prepared(String name, ServiceSchema schema, String endpoint) {
    Map<String, Prepared> byEndpoint =
        prepared.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
    Prepared call = byEndpoint.get(endpoint);
    if (call == null || call.schema() != schema) {
      if (call != null) {
        // prepared on a schema learned before: not kept if the new one has no such method
        byEndpoint.remove(endpoint, call);
      }
      MethodDescriptor method = method(name, schema, endpoint);
      Transcoder transcoder = transcoder(schema);
      call =
          prepare(
              name,
              schema,
              method,
              transcoder.parserOf(method.getInputType()),
              transcoder.printerOf(method.getOutputType()));
      byEndpoint.put(endpoint, call);
    }
    return call;
  }

  private Prepared prepare(
      String name,
      ServiceSchema schema,
      MethodDescriptor method,
      Function<byte[], byte[]> request,
      Function<byte[], byte[]> reply) {
    return new Prepared(
        schema,
        method,
        client(name),
        ServiceSchema.route(method),
        ServiceSchema.kind(method),
        idempotent(method),
        transcoder(schema),
        request,
        reply);
  }

  /**
   * Answers an exchange with a call of {@code method}: the request from {@code request} (the body
   * bytes to a message), the reply JSON by {@code reply}.
   */
  Mono<Reply> call(
      Exchange exchange,
      String name,
      ServiceSchema schema,
      MethodDescriptor method,
      Function<byte[], byte[]> request,
      Function<byte[], byte[]> reply) {
    return call(exchange, prepare(name, schema, method, request, reply));
  }

  /** Answers an exchange with a prepared call. */
  Mono<Reply> call(Exchange exchange, Prepared call) {
    GenericClient client = call.client();
    Route route = call.route();
    Transcoder transcoder = call.transcoder();
    MethodDescriptor method = call.method();
    CallKind kind = call.kind();
    Function<byte[], byte[]> request = call.request();
    Function<byte[], byte[]> reply = call.reply();
    Function<Context, Context> options =
        options(exchange, call.idempotent() || exchange.method().equals(HttpMethod.GET));
    if (exchange.isWebSocketUpgrade()) {
      return Mono.just(socket(client, route, kind, method, transcoder, reply, options));
    }
    switch (kind) {
      case UNARY -> {
        return exchange
            .body()
            .map(request)
            .flatMap(bytes -> client.unary(route, bytes).contextWrite(options))
            .map(bytes -> Reply.bytes(HttpResponseStatus.OK, Reply.JSON, reply.apply(bytes)));
      }
      case SERVER_STREAM -> {
        return exchange
            .body()
            .map(request)
            .map(
                bytes ->
                    stream(
                        exchange, client.serverStream(route, bytes).contextWrite(options), reply));
      }
      default -> {
        // no WebSocket: the request stream is an NDJSON body
        Flux<byte[]> requests =
            exchange
                .body()
                .flatMapMany(body -> Flux.fromIterable(lines(body)))
                .map(line -> transcoder.parseToBytes(method.getInputType(), line));
        if (kind == CallKind.CLIENT_STREAM) {
          return client
              .clientStream(route, requests)
              .contextWrite(options)
              .map(bytes -> Reply.bytes(HttpResponseStatus.OK, Reply.JSON, reply.apply(bytes)));
        }
        return Mono.just(
            stream(exchange, client.bidiStream(route, requests).contextWrite(options), reply));
      }
    }
  }

  private static List<byte[]> lines(byte[] body) {
    List<byte[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= body.length; i++) {
      if (i == body.length || body[i] == '\n') {
        byte[] line = Arrays.copyOfRange(body, start, i);
        if (!new String(line, StandardCharsets.UTF_8).isBlank()) {
          lines.add(line);
        }
        start = i + 1;
      }
    }
    return lines;
  }

  /**
   * A reply stream as NDJSON (default) or SSE ({@code Accept: text/event-stream}). An error after
   * the first message ends the stream with an error line ({@code {"error":{...}}}, or an SSE {@code
   * event: error}); one before it is the error reply.
   */
  private static Reply stream(
      Exchange exchange, Flux<byte[]> replies, Function<byte[], byte[]> reply) {
    boolean sse = exchange.header("accept").map(a -> a.contains(SSE)).orElse(false);
    Flux<ByteBuf> body =
        replies
            .map(bytes -> frame(sse, reply.apply(bytes), false))
            .onErrorResume(
                error -> {
                  VireoException vireo = VireoException.from(error);
                  return Mono.just(
                      frame(
                          sse,
                          ("{\"error\":"
                                  + new String(
                                      HttpErrors.json(
                                          vireo.status(), String.valueOf(vireo.getMessage())),
                                      StandardCharsets.UTF_8)
                                  + "}")
                              .getBytes(StandardCharsets.UTF_8),
                          true));
                });
    Reply result = Reply.stream(sse ? SSE : NDJSON, body);
    result.headers().set("cache-control", "no-cache");
    return result;
  }

  private static ByteBuf frame(boolean sse, byte[] json, boolean error) {
    if (!sse) {
      return Unpooled.wrappedBuffer(json, new byte[] {'\n'});
    }
    byte[] prefix = (error ? "event: error\ndata: " : "data: ").getBytes(StandardCharsets.US_ASCII);
    return Unpooled.wrappedBuffer(prefix, json, new byte[] {'\n', '\n'});
  }

  /**
   * A call over WebSocket: each text frame one JSON request (a server stream takes the first); an
   * empty text frame ends the request stream (so do the client's close frame and a closed socket);
   * each reply is a text frame; the end is a close frame whose code is 1000 for OK or 4000 + the
   * gRPC code, and whose reason is {@code <STATUS>: <message>}.
   */
  private static Reply socket(
      GenericClient client,
      Route route,
      CallKind kind,
      MethodDescriptor method,
      Transcoder transcoder,
      Function<byte[], byte[]> reply,
      Function<Context, Context> options) {
    return Reply.socket(
        (in, out) -> {
          Flux<byte[]> requests =
              SocketRequests.of(
                      in.receiveFrames()
                          .filter(frame -> frame instanceof TextWebSocketFrame)
                          .map(frame -> ((TextWebSocketFrame) frame).text()))
                  .map(
                      text ->
                          transcoder.parseToBytes(
                              method.getInputType(), text.getBytes(StandardCharsets.UTF_8)));
          Flux<byte[]> replies =
              switch (kind) {
                case UNARY -> requests.next().flatMap(bytes -> client.unary(route, bytes)).flux();
                case SERVER_STREAM ->
                    requests.next().flatMapMany(bytes -> client.serverStream(route, bytes));
                case CLIENT_STREAM -> client.clientStream(route, requests).flux();
                default -> client.bidiStream(route, requests);
              };
          AtomicReference<VireoException> failure = new AtomicReference<>();
          Flux<WebSocketFrame> frames =
              replies
                  .contextWrite(options)
                  .<WebSocketFrame>map(
                      bytes ->
                          new TextWebSocketFrame(
                              new String(reply.apply(bytes), StandardCharsets.UTF_8)))
                  .onErrorResume(
                      error -> {
                        failure.set(VireoException.from(error));
                        return Mono.empty();
                      });
          return out.sendObject(frames, frame -> true)
              .then(
                  Mono.defer(
                      () -> {
                        VireoException error = failure.get();
                        if (error == null) {
                          return out.sendClose(1000, "OK");
                        }
                        String reason = error.status().name() + ": " + error.getMessage();
                        return out.sendClose(4000 + error.status().code(), truncate(reason));
                      }));
        });
  }

  /** A close reason fits 123 bytes. */
  private static String truncate(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= 123) {
      return reason;
    }
    String cut = new String(bytes, 0, 120, StandardCharsets.UTF_8);
    return cut.substring(0, Math.max(0, cut.length() - 1)) + "...";
  }
}
