package io.vireo.registry.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.etcd.EtcdExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The instance keys hold what curator-x-discovery's own serializer writes and reads (the ZooKeeper
 * registry's znode format), checked with Curator's {@link JsonInstanceSerializer}.
 */
class CuratorFormatTest {
  @RegisterExtension static final EtcdExtension ETCD = new EtcdExtension();

  private static final Duration BLOCK = Duration.ofSeconds(10);
  private final JsonInstanceSerializer<Object> curator = new JsonInstanceSerializer<>(Object.class);
  private EtcdRegistry registry;
  private Client client;

  @BeforeEach
  void setUp() {
    registry = EtcdRegistry.builder().endpoints(ETCD.endpoint()).build();
    client = Client.builder().endpoints(ETCD.endpoint()).build();
  }

  @AfterEach
  void tearDown() {
    registry.close().block(BLOCK);
    client.close();
  }

  @Test
  void writesTheDocumentCuratorWritesForTheSameInstance() throws Exception {
    String service = "fmt-" + UUID.randomUUID().toString().substring(0, 8);
    ServiceInstance instance =
        new ServiceInstance(
            service,
            "i-1",
            "10.0.0.12",
            7000,
            "grpc",
            "1.2.0",
            30,
            Map.of("zone", "eu-1", "canary", "true"),
            List.of("vireo.samples.greeter.Greeter.SayHello"));
    registry.register(instance).block(BLOCK);

    byte[] stored =
        client
            .getKVClient()
            .get(PrefixCache.bytes("/services/" + service + "/i-1"))
            .get(10, TimeUnit.SECONDS)
            .getKvs()
            .get(0)
            .getValue()
            .getBytes();
    org.apache.curator.x.discovery.ServiceInstance<Object> read = curator.deserialize(stored);
    assertThat(read.getName()).isEqualTo(service);
    assertThat(read.getId()).isEqualTo("i-1");
    assertThat(read.getAddress()).isEqualTo("10.0.0.12");
    assertThat(read.getPort()).isEqualTo(7000);
    assertThat(read.getServiceType()).isEqualTo(ServiceType.DYNAMIC);
    assertThat(read.buildUriSpec()).isEqualTo("grpc://10.0.0.12:7000");
    assertThat(read.getPayload()).isInstanceOf(Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> readPayload = (Map<String, Object>) read.getPayload();
    assertThat(readPayload)
        .containsEntry("version", "1.2.0")
        .containsEntry("weight", 30)
        .containsEntry("metadata", Map.of("canary", "true", "zone", "eu-1"))
        .containsEntry("endpoints", List.of("vireo.samples.greeter.Greeter.SayHello"));

    // field for field what Curator writes for the same instance (the registration time aside)
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("version", "1.2.0");
    payload.put("transport", "grpc");
    payload.put("weight", 30);
    payload.put(
        "metadata", new LinkedHashMap<>(new TreeMap<>(Map.of("zone", "eu-1", "canary", "true"))));
    payload.put("endpoints", new ArrayList<>(List.of("vireo.samples.greeter.Greeter.SayHello")));
    byte[] expected =
        curator.serialize(
            new org.apache.curator.x.discovery.ServiceInstance<>(
                service,
                "i-1",
                "10.0.0.12",
                7000,
                null,
                payload,
                read.getRegistrationTimeUTC(),
                ServiceType.DYNAMIC,
                new UriSpec("grpc://{address}:{port}"),
                true));
    ObjectMapper mapper = new ObjectMapper();
    assertThat(mapper.readTree(stored)).isEqualTo(mapper.readTree(expected));
    assertThat(new String(stored, StandardCharsets.UTF_8))
        .as("same field order too")
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
  }

  @Test
  void readsAnInstanceThatCuratorWroteWithAForeignPayload() throws Exception {
    String service = "foreign-" + UUID.randomUUID().toString().substring(0, 8);
    byte[] json =
        curator.serialize(
            new org.apache.curator.x.discovery.ServiceInstance<>(
                service,
                "spring-1",
                "10.0.0.7",
                8080,
                null,
                Map.of("metadata", Map.of("zone", "b")),
                0L,
                ServiceType.DYNAMIC,
                new UriSpec("{scheme}://{address}:{port}"),
                true));
    ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(json);
    ((ObjectNode) tree.get("payload"))
        .put("@class", "org.springframework.cloud.zookeeper.discovery.ZookeeperInstance");
    client
        .getKVClient()
        .put(
            PrefixCache.bytes("/services/" + service + "/spring-1"),
            ByteSequence.from(new ObjectMapper().writeValueAsBytes(tree)))
        .get(10, TimeUnit.SECONDS);

    await()
        .atMost(BLOCK)
        .untilAsserted(
            () ->
                assertThat(registry.instances(service).block(BLOCK))
                    .containsExactly(
                        new ServiceInstance(
                            service,
                            "spring-1",
                            "10.0.0.7",
                            8080,
                            "rsocket",
                            "",
                            100,
                            Map.of("zone", "b"),
                            List.of())));
  }

  @Test
  void skipsKeysThatAreNotInstances() throws Exception {
    String service = "junk-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .getKVClient()
        .put(PrefixCache.bytes("/services/" + service + "/not-json"), PrefixCache.bytes("hello"))
        .get(10, TimeUnit.SECONDS);
    client
        .getKVClient()
        .put(
            PrefixCache.bytes("/services/" + service + "/no-port"),
            PrefixCache.bytes(
                "{\"name\":\"" + service + "\",\"id\":\"no-port\",\"address\":\"h\"}"))
        .get(10, TimeUnit.SECONDS);
    ServiceInstance good =
        new ServiceInstance(
            service, "good", "127.0.0.1", 7001, "rsocket", "1.0.0", 100, Map.of(), List.of());
    registry.register(good).block(BLOCK);

    await()
        .atMost(BLOCK)
        .untilAsserted(
            () -> assertThat(registry.instances(service).block(BLOCK)).containsExactly(good));
  }
}
