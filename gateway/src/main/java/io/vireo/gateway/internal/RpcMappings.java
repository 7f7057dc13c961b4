package io.vireo.gateway.internal;

import com.google.protobuf.Descriptors.MethodDescriptor;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.reflection.ServiceSchema;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Mono;

/**
 * The built-in routes to Vireo services: events ({@code POST /events/<topic>?type=...}), gRPC over
 * HTTP/2, {@code google.api.http} rules, and the default mapping ({@code POST /<service>/<Method>}
 * and {@code /<service>/<pkg.Service>/<Method>}) when {@code vireo.gateway.discovery.enabled=true};
 * and the RPC target of configured routes.
 */
public final class RpcMappings {
  private final RpcCalls calls;
  private final Catalog catalog;
  private final Service service;
  private final boolean discovery;
  private final GrpcCalls grpc;

  public RpcMappings(RpcCalls calls, Catalog catalog, Service service, boolean discovery) {
    this.calls = calls;
    this.catalog = catalog;
    this.service = service;
    this.discovery = discovery;
    this.grpc = new GrpcCalls(calls, catalog);
  }

  /** The mappings, in the order they are tried. */
  public List<Mapping> mappings() {
    return List.of(this::events, this::grpc, this::httpRules, this::defaults);
  }

  private Optional<Mapping.Routed> events(Exchange exchange, Policies policies) {
    if (!exchange.path().startsWith("/events/") || !exchange.method().equals(HttpMethod.POST)) {
      return Optional.empty();
    }
    String topic = exchange.path().substring("/events/".length());
    return Optional.of(new Mapping.Routed("events", policies.global(), e -> publish(e, topic)));
  }

  private Mono<Reply> publish(Exchange exchange, String topic) {
    if (topic.isEmpty() || topic.contains("/")) {
      return Mono.just(
          HttpErrors.reply(
              Status.INVALID_ARGUMENT,
              "topic: '" + topic + "' (expected: /events/<topic> such as /events/user.created)"));
    }
    List<String> type = exchange.queryParameters().getOrDefault("type", List.of());
    if (type.isEmpty() || type.get(0).isBlank()) {
      return Mono.just(
          HttpErrors.reply(
              Status.INVALID_ARGUMENT,
              "type: missing (expected: ?type=<full message name>, such as ?type=vireo.samples.orders.OrderPlaced)"));
    }
    String name = type.get(0);
    Mono<Catalog.Type> found =
        Mono.defer(() -> Mono.justOrEmpty(catalog.type(name)))
            .switchIfEmpty(
                catalog
                    .refreshOnMiss()
                    .then(Mono.defer(() -> Mono.justOrEmpty(catalog.type(name)))))
            .switchIfEmpty(
                Mono.error(
                    () ->
                        new VireoException(
                            Status.INVALID_ARGUMENT,
                            "type: unknown message "
                                + name
                                + " (expected: a message of a running service's descriptors)")));
    return found.flatMap(
        t ->
            exchange
                .body()
                .map(body -> calls.transcoder(t.schema()).parse(t.descriptor(), body))
                .flatMap(
                    message ->
                        service
                            .publish(topic, message)
                            .contextWrite(calls.options(exchange, false)))
                .thenReturn(
                    Reply.bytes(
                        HttpResponseStatus.ACCEPTED,
                        Reply.JSON,
                        ("{\"topic\":"
                                + HttpErrors.quote(topic)
                                + ",\"type\":"
                                + HttpErrors.quote(name)
                                + "}")
                            .getBytes(StandardCharsets.UTF_8))));
  }

  private Optional<Mapping.Routed> grpc(Exchange exchange, Policies policies) {
    if (!GrpcCalls.isGrpc(exchange)) {
      return Optional.empty();
    }
    String protoService = GrpcCalls.protoService(exchange.path());
    String registryName = catalog.serviceOf(protoService).orElse("grpc:" + protoService);
    return Optional.of(
        new Mapping.Routed("grpc:" + protoService, policies.service(registryName), grpc::handle));
  }

  private Optional<Mapping.Routed> httpRules(Exchange exchange, Policies policies) {
    for (HttpBinding binding : catalog.bindings()) {
      if (!binding.httpMethod().equals(exchange.method())) {
        continue;
      }
      Optional<List<String[]>> values = binding.template().match(exchange.path());
      if (values.isPresent()) {
        String id = binding.service() + ":" + binding.method().getName();
        return Optional.of(
            new Mapping.Routed(
                id,
                policies.service(binding.service()),
                e ->
                    calls
                        .schema(binding.service())
                        .flatMap(
                            schema -> {
                              Transcoder transcoder = calls.transcoder(schema);
                              // the schema may have been learned again: look the method up by name
                              // in it
                              MethodDescriptor method =
                                  RpcCalls.method(
                                      binding.service(),
                                      schema,
                                      binding.method().getService().getFullName()
                                          + "/"
                                          + binding.method().getName());
                              HttpBinding current =
                                  new HttpBinding(
                                      binding.service(),
                                      method,
                                      binding.httpMethod(),
                                      binding.template(),
                                      binding.body(),
                                      binding.responseBody());
                              return calls.call(
                                  e,
                                  binding.service(),
                                  schema,
                                  method,
                                  body ->
                                      current
                                          .request(
                                              transcoder, body, values.get(), e.queryParameters())
                                          .toByteArray(),
                                  reply -> current.reply(transcoder, reply));
                            })));
      }
    }
    return Optional.empty();
  }

  private Optional<Mapping.Routed> defaults(Exchange exchange, Policies policies) {
    if (!discovery) {
      return Optional.empty();
    }
    // /<service>/<Method> or /<service>/<pkg.Service>/<Method>, found by index (a split per
    // request showed in the profile)
    String path = exchange.path();
    int first = path.indexOf('/', 1);
    int second = first < 0 ? -1 : path.indexOf('/', first + 1);
    if (first <= 1
        || second >= 0 && path.indexOf('/', second + 1) >= 0
        || !exchange.method().equals(HttpMethod.POST) && !exchange.isWebSocketUpgrade()) {
      return Optional.empty();
    }
    String name = path.substring(1, first);
    String endpoint = path.substring(first + 1);
    return Optional.of(
        new Mapping.Routed(name, policies.service(name), e -> target(e, name, endpoint, false)));
  }

  /**
   * The RPC target of a configured route: its endpoint, or {@code /<Method>} after the route's
   * literal prefix.
   */
  public Handler routeTarget(RouteDef route, RouteDef.Rpc rpc) {
    return exchange -> {
      String endpoint =
          rpc.endpoint()
              .orElseGet(
                  () -> {
                    String rest =
                        exchange
                            .path()
                            .substring(
                                Math.min(
                                    exchange.path().length(),
                                    route.path().literalPrefix().length()));
                    return rest.startsWith("/") ? rest.substring(1) : rest;
                  });
      return target(exchange, rpc.service(), endpoint, true);
    };
  }

  /**
   * A service nobody knows is NOT_FOUND; one that is known (configured, or seen in the registry)
   * but has no instance is UNAVAILABLE.
   */
  private Mono<Reply> target(Exchange exchange, String name, String endpoint, boolean configured) {
    // a schema learned already is used as it is, past the cache's Mono and a flatMap
    Optional<ServiceSchema> ready = calls.ready(name);
    Mono<Reply> reply;
    if (ready.isPresent()) {
      try {
        reply = calls.call(exchange, calls.prepared(name, ready.get(), endpoint));
      } catch (RuntimeException e) {
        reply = Mono.error(e);
      }
    } else {
      reply =
          calls
              .schema(name)
              .flatMap(schema -> calls.call(exchange, calls.prepared(name, schema, endpoint)));
    }
    return reply.onErrorResume(
        e ->
            e instanceof VireoException vireo
                && vireo.status() == Status.UNAVAILABLE
                && !configured,
        e ->
            catalog
                .refreshOnMiss()
                .then(
                    Mono.error(
                        () ->
                            catalog.seen(name)
                                ? e
                                : new VireoException(
                                    Status.NOT_FOUND, "no service " + name + " in the registry"))));
  }
}
