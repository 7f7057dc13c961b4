package io.vireo.spring.app;

import static io.vireo.spring.Echo.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.StringValue;
import io.vireo.Service;
import io.vireo.spring.Echo;
import io.vireo.spring.VireoClient;
import io.vireo.testing.kafka.KafkaExtension;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import reactor.test.StepVerifier;

/**
 * A whole Spring Boot application: {@code application.yaml} with the {@code kafka} profile, calls
 * over gRPC, events through a real Kafka broker.
 */
@SpringBootTest(classes = ShopApplication.class)
@ActiveProfiles("kafka")
class ShopApplicationTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @RegisterExtension static final KafkaExtension KAFKA = new KafkaExtension();

  @DynamicPropertySource
  static void kafka(DynamicPropertyRegistry properties) {
    properties.add("vireo.broker.kafka.bootstrap-servers", KAFKA::bootstrapServers);
  }

  @Autowired Service service;

  @Autowired ShopApplication.Audit audit;

  @VireoClient("shop")
  Echo echo;

  @Test
  void takesItsSettingsFromApplicationYamlAndTheActiveProfile() {
    assertThat(service.name()).isEqualTo("shop");
    assertThat(service.config().get("vireo.client.timeout")).contains("4s");
    assertThat(service.config().get("vireo.broker")).contains("kafka");
    assertThat(service.instance().orElseThrow().transport()).isEqualTo("grpc");
    assertThat(service.instance().orElseThrow().metadata())
        .containsEntry("zone", "from-kafka-profile");
  }

  @Test
  void servesAndCallsOverGrpc() {
    StepVerifier.create(echo.echo(text("Ada")).map(StringValue::getValue))
        .expectNext("shop: Ada")
        .expectComplete()
        .verify(WAIT);
  }

  @Test
  void deliversEventsThroughKafkaToSubscribeMethods() {
    KAFKA.createTopic("shop.ordered", 1);
    service.publish("shop.ordered", "order-1", text("order-1")).block(WAIT);
    await().atMost(WAIT).untilAsserted(() -> assertThat(audit.seen).contains("order-1"));
  }
}
