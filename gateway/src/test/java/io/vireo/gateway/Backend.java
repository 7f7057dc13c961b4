package io.vireo.gateway;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/** A plain reactor-netty HTTP backend on a free port: the upstream of the gateway's proxy tests. */
final class Backend implements AutoCloseable {
  final String name;
  final AtomicBoolean failing = new AtomicBoolean();
  final AtomicInteger hits = new AtomicInteger();
  private final DisposableServer server;

  Backend(String name) {
    this.name = name;
    this.server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .route(
                routes ->
                    routes
                        .get(
                            "/hello/**",
                            (request, response) -> {
                              hits.incrementAndGet();
                              if (failing.get()) {
                                return response.status(500).sendString(Mono.just("broken")).then();
                              }
                              return response
                                  .header("x-backend", name)
                                  .header("x-seen-path", request.uri())
                                  .header(
                                      "x-seen-request-id",
                                      String.valueOf(request.requestHeaders().get("x-request-id")))
                                  .header(
                                      "x-seen-traceparent",
                                      String.valueOf(request.requestHeaders().get("traceparent")))
                                  .header(
                                      "x-seen-added",
                                      String.valueOf(request.requestHeaders().get("x-added")))
                                  .sendString(Mono.just("hello from " + name))
                                  .then();
                            })
                        .post(
                            "/echo",
                            (request, response) -> {
                              hits.incrementAndGet();
                              return response
                                  .header("x-backend", name)
                                  .send(request.receive().retain())
                                  .then();
                            }))
            .bindNow();
  }

  int port() {
    return server.port();
  }

  String uri() {
    return "http://127.0.0.1:" + port();
  }

  @Override
  public void close() {
    server.disposeNow();
  }
}
