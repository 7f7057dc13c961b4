package io.vireo.registry.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vireo.registry.ServiceInstance;
import io.vireo.testing.zookeeper.ZooKeeperExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Vireo and plain Curator service discovery (no Vireo code) see each other's instances. */
class CuratorInteropTest {
  @RegisterExtension static final ZooKeeperExtension ZK = new ZooKeeperExtension();

  @SuppressWarnings("rawtypes")
  private ServiceDiscovery<Map> plain;

  private CuratorFramework plainClient;
  private ZooKeeperRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    plainClient =
        CuratorFrameworkFactory.newClient(ZK.connectString(), 3000, 2000, new RetryOneTime(100));
    plainClient.start();
    plain =
        ServiceDiscoveryBuilder.builder(Map.class)
            .client(plainClient)
            .basePath("/services")
            .serializer(new JsonInstanceSerializer<>(Map.class))
            .build();
    plain.start();
    registry =
        ZooKeeperRegistry.builder()
            .connect(ZK.connectString())
            .sessionTimeout(Duration.ofSeconds(3))
            .build();
  }

  @AfterEach
  void tearDown() throws Exception {
    registry.close().block(Duration.ofSeconds(10));
    plain.close();
    plainClient.close();
  }

  @Test
  @SuppressWarnings("rawtypes")
  void plainCuratorFindsAVireoInstanceWithAddressAndPort() throws Exception {
    String service = "greeter-" + UUID.randomUUID();
    ServiceInstance vireo =
        new ServiceInstance(
            service,
            "v-1",
            "127.0.0.1",
            7100,
            "rsocket",
            "1.2.0",
            40,
            Map.of("zone", "eu-1"),
            List.of("vireo.samples.greeter.Greeter.SayHello"));

    registry.register(vireo).block(Duration.ofSeconds(10));

    Collection<org.apache.curator.x.discovery.ServiceInstance<Map>> found =
        plain.queryForInstances(service);
    assertThat(found).hasSize(1);
    org.apache.curator.x.discovery.ServiceInstance<Map> instance = found.iterator().next();
    assertThat(instance.getName()).isEqualTo(service);
    assertThat(instance.getId()).isEqualTo("v-1");
    assertThat(instance.getAddress()).isEqualTo("127.0.0.1");
    assertThat(instance.getPort()).isEqualTo(7100);
    assertThat(instance.getServiceType()).isEqualTo(ServiceType.DYNAMIC);
    assertThat(instance.buildUriSpec()).isEqualTo("rsocket://127.0.0.1:7100");
    assertThat(instance.getPayload())
        .containsEntry("version", "1.2.0")
        .containsEntry("transport", "rsocket")
        .containsEntry("weight", 40)
        .containsEntry("metadata", Map.of("zone", "eu-1"))
        .containsEntry("endpoints", List.of("vireo.samples.greeter.Greeter.SayHello"));
  }

  @Test
  void theZnodeIsAnEphemeralCuratorServiceInstanceJson() throws Exception {
    String service = "json-" + UUID.randomUUID();
    registry
        .register(
            new ServiceInstance(
                service, "v-1", "127.0.0.1", 7100, "rsocket", "1.0.0", 100, Map.of(), List.of()))
        .block(Duration.ofSeconds(10));

    String path = "/services/" + service + "/v-1";
    Stat stat = new Stat();
    byte[] bytes = plainClient.getData().storingStatIn(stat).forPath(path);
    JsonNode json = new ObjectMapper().readTree(bytes);
    assertThat(stat.getEphemeralOwner()).as("ephemeral").isNotZero();
    assertThat(json.fieldNames())
        .toIterable()
        .contains(
            "name",
            "id",
            "address",
            "port",
            "sslPort",
            "payload",
            "registrationTimeUTC",
            "serviceType",
            "uriSpec");
    assertThat(json.get("serviceType").asText()).isEqualTo("DYNAMIC");
    assertThat(json.get("payload").get("@class").asText()).isEqualTo("java.util.LinkedHashMap");
    assertThat(json.get("payload").get("version").asText()).isEqualTo("1.0.0");
  }

  @Test
  void vireoFindsAPlainCuratorInstanceWithDefaults() throws Exception {
    String service = "legacy-" + UUID.randomUUID();
    plain.registerService(
        new org.apache.curator.x.discovery.ServiceInstance<>(
            service,
            "p-1",
            "10.0.0.5",
            8080,
            null,
            Map.of("owner", "team-a"),
            System.currentTimeMillis(),
            ServiceType.DYNAMIC,
            new UriSpec("{scheme}://{address}:{port}")));
    plain.registerService(
        new org.apache.curator.x.discovery.ServiceInstance<>(
            service,
            "p-2",
            "10.0.0.6",
            8081,
            null,
            null,
            System.currentTimeMillis(),
            ServiceType.DYNAMIC,
            null));

    List<ServiceInstance> found = registry.instances(service).block(Duration.ofSeconds(10));

    assertThat(found)
        .containsExactly(
            new ServiceInstance(
                service, "p-1", "10.0.0.5", 8080, "rsocket", "", 100, Map.of(), List.of()),
            new ServiceInstance(
                service, "p-2", "10.0.0.6", 8081, "rsocket", "", 100, Map.of(), List.of()));
  }

  @Test
  void vireoReadsAnInstanceWhosePayloadClassItDoesNotHave() throws Exception {
    String service = "spring-" + UUID.randomUUID();
    // what Spring Cloud Zookeeper writes: a payload typed with a class Vireo does not have
    String json =
        "{\"name\":\""
            + service
            + "\",\"id\":\"s-1\",\"address\":\"10.0.0.7\",\"port\":9000,"
            + "\"sslPort\":null,\"payload\":{\"@class\":\"org.springframework.cloud.zookeeper.discovery.ZookeeperInstance\","
            + "\"id\":\"app\",\"name\":\""
            + service
            + "\",\"metadata\":{\"instance_status\":\"UP\"}},"
            + "\"registrationTimeUTC\":1,\"serviceType\":\"DYNAMIC\",\"uriSpec\":{\"parts\":[]}}";
    plainClient
        .create()
        .creatingParentsIfNeeded()
        .withMode(CreateMode.EPHEMERAL)
        .forPath("/services/" + service + "/s-1", json.getBytes(StandardCharsets.UTF_8));

    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(registry.instances(service).block(Duration.ofSeconds(5)))
                    .containsExactly(
                        new ServiceInstance(
                            service,
                            "s-1",
                            "10.0.0.7",
                            9000,
                            "rsocket",
                            "",
                            100,
                            Map.of("instance_status", "UP"),
                            List.of())));
  }
}
