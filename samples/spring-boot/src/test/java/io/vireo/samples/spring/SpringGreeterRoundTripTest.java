package io.vireo.samples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vireo.Service;
import io.vireo.registry.Registry;
import io.vireo.registry.ServiceInstance;
import io.vireo.registry.zookeeper.ZooKeeperRegistry;
import io.vireo.samples.greeter.GreeterImpl;
import io.vireo.samples.greeter.proto.Greeter;
import io.vireo.samples.greeter.proto.HelloReply;
import io.vireo.samples.greeter.proto.HelloRequest;
import io.vireo.samples.greeter.proto.UserGreeted;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;

/**
 * The Spring Boot sample between two plain-Java services on a real ZooKeeper: a plain client calls
 * {@code spring-greeter}, which calls the plain {@code greeter}; a plain publisher's event reaches
 * the Spring application's subscribe method.
 */
class SpringGreeterRoundTripTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  private static Service greeter;
  private static Service client;
  private static ConfigurableApplicationContext spring;

  @BeforeAll
  static void start() {
    greeter =
        plain(Service.builder("greeter").handle(Greeter.class, new GreeterImpl("plain-greeter")))
            .build()
            .start();
    spring = springGreeter("spring-greeter");
    client = plain(Service.builder("plain-client")).build().start();
  }

  /** The sample as its main method runs it, on the test's ZooKeeper, by command-line arguments. */
  private static ConfigurableApplicationContext springGreeter(String name) {
    return new SpringApplicationBuilder(SpringGreeterApplication.class)
        .run(
            "--spring.application.name=" + name,
            "--vireo.registry=zookeeper",
            "--vireo.registry.zookeeper.connect=" + ZK.connectString(),
            "--spring.main.keep-alive=false");
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.stop();
    }
    if (spring != null) {
      spring.close();
    }
    if (greeter != null) {
      greeter.stop();
    }
  }

  @Test
  void aPlainClientCallsTheSpringGreeterWhichCallsThePlainGreeter() {
    Greeter relayed = client.client("spring-greeter", Greeter.class);
    assertThat(relayed.sayHello(request("Ada")).map(HelloReply::getMessage).block(WAIT))
        .isEqualTo("Spring relays: Hello, Ada (from plain-greeter)");
    assertThat(
            relayed
                .lotsOfReplies(request("Ada"))
                .map(HelloReply::getMessage)
                .collectList()
                .block(WAIT))
        .containsExactly(
            "Spring relays: Hello #1, Ada (from plain-greeter)",
            "Spring relays: Hello #2, Ada (from plain-greeter)",
            "Spring relays: Hello #3, Ada (from plain-greeter)");
    assertThat(
            relayed
                .bidiHello(Flux.just(request("Ada"), request("Grace")))
                .map(HelloReply::getMessage)
                .collectList()
                .block(WAIT))
        .containsExactly(
            "Spring relays: Hi, Ada (from plain-greeter)",
            "Spring relays: Hi, Grace (from plain-greeter)");
  }

  @Test
  void hearsEventsAPlainServicePublishes() {
    client.publish("user.greeted", UserGreeted.newBuilder().setName("Linus").build()).block(WAIT);
    GreetingLog log = spring.getBean(GreetingLog.class);
    await().atMost(WAIT).untilAsserted(() -> assertThat(log.names()).contains("Linus"));
  }

  @Test
  void registersInZooKeeperAndLeavesWhenTheContextCloses() {
    assertThat(spring.getBean(Service.class).version()).isEqualTo("1.0.0");
    assertThat(instances("spring-greeter")).hasSize(1);
    ConfigurableApplicationContext second = springGreeter("spring-greeter-2");
    try {
      assertThat(instances("spring-greeter-2")).hasSize(1);
    } finally {
      second.close();
    }
    assertThat(instances("spring-greeter-2")).isEmpty();
  }

  private static List<ServiceInstance> instances(String service) {
    Registry registry = ZooKeeperRegistry.builder().connect(ZK.connectString()).build();
    try {
      return registry.instances(service).block(WAIT);
    } finally {
      registry.close().block(WAIT);
    }
  }

  private static Service.Builder plain(Service.Builder builder) {
    return builder
        .set("vireo.registry", "zookeeper")
        .set("vireo.registry.zookeeper.connect", ZK.connectString());
  }

  private static HelloRequest request(String name) {
    return HelloRequest.newBuilder().setName(name).build();
  }
}
