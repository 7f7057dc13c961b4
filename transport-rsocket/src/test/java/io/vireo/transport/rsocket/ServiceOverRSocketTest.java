package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.CallOptions;
import io.vireo.Service;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.transport.rsocket.RawRSocketClientTest.Greeter;
import io.vireo.transport.rsocket.RawRSocketClientTest.GreeterImpl;
import io.vireo.transport.rsocket.RawRSocketClientTest.HelloReply;
import io.vireo.transport.rsocket.RawRSocketClientTest.HelloRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * A Vireo client calls a Vireo service through the registry, over the RSocket transport chosen by
 * name.
 */
class ServiceOverRSocketTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Service server;
  private Service caller;

  @BeforeEach
  void start() {
    server = service("rsocket-greeter").handle(Greeter.class, new GreeterImpl()).build().start();
    caller = service("rsocket-caller").build().start();
  }

  @AfterEach
  void stop() {
    caller.stop();
    server.stop();
  }

  private static Service.Builder service(String name) {
    return Service.builder(name)
        .set("vireo.transport", "rsocket")
        .set("vireo.codec", "json")
        .set("vireo.server.shutdown-timeout", "2s");
  }

  @Test
  void vireoClientCallsEveryKindOverRSocket() {
    Greeter greeter = caller.client("rsocket-greeter", Greeter.class);

    StepVerifier.create(greeter.sayHello(new HelloRequest("Ada")))
        .expectNext(new HelloReply("Hello, Ada"))
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(greeter.lotsOfReplies(new HelloRequest("Bo")))
        .expectNext(
            new HelloReply("Hello 1, Bo"),
            new HelloReply("Hello 2, Bo"),
            new HelloReply("Hello 3, Bo"))
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(
            greeter.lotsOfGreetings(Flux.just(new HelloRequest("a"), new HelloRequest("b"))))
        .expectNext(new HelloReply("Hello, a and b"))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void headersAndStatusCrossOverRSocket() {
    Greeter greeter = caller.client("rsocket-greeter", Greeter.class);

    StepVerifier.create(
            greeter
                .whoAmI(new HelloRequest("x"))
                .contextWrite(CallOptions.header("x-tenant", "acme"))
                .contextWrite(CallOptions.header("authorization", "Bearer tok")))
        .expectNext(new HelloReply("acme Bearer tok"))
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(greeter.sayHello(new HelloRequest("nobody")))
        .expectErrorSatisfies(
            error -> {
              assertThat(error).isInstanceOf(VireoException.class);
              assertThat(((VireoException) error).status()).isEqualTo(Status.NOT_FOUND);
              assertThat(error.getMessage()).isEqualTo("no such person: nobody");
            })
        .verify(TIMEOUT);
  }
}
