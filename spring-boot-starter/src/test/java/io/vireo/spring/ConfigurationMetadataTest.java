package io.vireo.spring;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigurationMetadataTest {
  @Test
  void describesTheCoreKeysForIdeCompletion() throws IOException {
    JsonNode metadata;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("META-INF/spring-configuration-metadata.json").isNotNull();
      metadata = new ObjectMapper().readTree(in);
    }
    List<String> names = new ArrayList<>();
    metadata
        .get("properties")
        .forEach(
            property -> {
              assertThat(property.get("description").asText()).as(property.toString()).isNotBlank();
              names.add(property.get("name").asText());
            });
    assertThat(names)
        .contains(
            "vireo.enabled",
            "vireo.service.name",
            "vireo.registry",
            "vireo.registry.zookeeper.connect",
            "vireo.transport",
            "vireo.server.host",
            "vireo.server.port",
            "vireo.broker",
            "vireo.broker.kafka.bootstrap-servers",
            "vireo.codec",
            "vireo.selector",
            "vireo.client.timeout",
            "vireo.client.retries",
            "vireo.server.shutdown-timeout",
            "vireo.admin.port");
    assertThat(names).doesNotHaveDuplicates();
  }
}
