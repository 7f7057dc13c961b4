package io.vireo.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vireo.Headers;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PublishHeadersTest {
  @Test
  void messageIdsAreVersion4UuidsAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = ServiceEvents.messageId();
      UUID uuid = UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void publishedAtIsIso8601WithMilliseconds() {
    Instant before = Instant.ofEpochMilli(System.currentTimeMillis());
    Instant stamp = Instant.parse(ServiceEvents.publishedAt());
    Instant after = Instant.ofEpochMilli(System.currentTimeMillis());
    assertThat(stamp).isBetween(before, after);
  }

  @Test
  void headersOfKeepsTheLastValueOfANameAndValidates() {
    Headers headers = Headers.of("A", "1", "b", "2", "a", "3");
    assertThat(headers.asMap()).containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
    assertThat(Headers.of()).isEqualTo(Headers.empty());
    assertThatThrownBy(() -> Headers.of("x", "line\nbreak")).hasMessageContaining("line break");
    assertThatThrownBy(() -> Headers.of("bad name", "v"))
        .hasMessageContaining("expected: visible ASCII");
  }
}
