package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import ${package}.api.Greeter;
import ${package}.api.GreeterClient;
import ${package}.api.HelloReply;
import ${package}.api.HelloRequest;
import io.vireo.Service;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** The handler served on a real transport (free loopback port), found through a real ZooKeeper. */
class GreeterImplTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension
  static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @ParameterizedTest
  @ValueSource(strings = {"rsocket", "grpc"})
  void answersTheFourCallKinds(String transport) {
    Service server = service("${artifactId}", transport).handle(Greeter.class, new GreeterImpl()).build().start();
    // a generous deadline: the first call of a cold JVM on a busy machine can take seconds
    Service caller = service("${artifactId}-test", transport).set("vireo.client.timeout", "30s").build().start();
    try {
      Greeter greeter = GreeterClient.of(caller, "${artifactId}");
      HelloRequest ada = request("Ada");
      Flux<HelloRequest> two = Flux.just(request("Ada"), request("Grace"));

      StepVerifier.create(greeter.sayHello(ada).map(HelloReply::getMessage))
          .expectNext("Hello, Ada").expectComplete().verify(WAIT);
      StepVerifier.create(greeter.lotsOfReplies(ada).map(HelloReply::getMessage))
          .expectNext("Hello #1, Ada", "Hello #2, Ada", "Hello #3, Ada").expectComplete().verify(WAIT);
      StepVerifier.create(greeter.lotsOfGreetings(two).map(HelloReply::getMessage))
          .expectNext("Hello, Ada, Grace").expectComplete().verify(WAIT);
      StepVerifier.create(greeter.bidiHello(two).map(HelloReply::getMessage))
          .expectNext("Hi, Ada", "Hi, Grace").expectComplete().verify(WAIT);
      assertThat(server.instance()).hasValueSatisfying(instance -> assertThat(instance.transport()).isEqualTo(transport));
    } finally {
      caller.stop();
      server.stop();
    }
  }

  private static Service.Builder service(String name, String transport) {
    return Service.builder(name)
        .set("vireo.registry", "zookeeper")
        .set("vireo.registry.zookeeper.connect", ZK.connectString())
        .set("vireo.transport", transport)
        .set("vireo.server.host", "127.0.0.1")
        .set("vireo.server.port", "0");
  }

  private static HelloRequest request(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }
}
