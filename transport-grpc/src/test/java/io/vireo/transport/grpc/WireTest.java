package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.InternalMetadata;
import io.grpc.Metadata;
import io.vireo.Headers;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireTest {
  @Test
  void receivedMetadataBecomesTheApplicationsHeadersAndNothingElse() {
    // as grpc-netty hands it to the server: names and values in bytes, -bin values decoded
    Metadata metadata =
        InternalMetadata.newMetadata(
            ascii("content-type"), ascii("application/grpc"),
            ascii("te"), ascii("trailers"),
            ascii("user-agent"), ascii("grpc-java-netty/1.85.1"),
            ascii("grpc-accept-encoding"), ascii("gzip"),
            ascii("vireo-content-type"), ascii("application/json"),
            ascii("x-tenant"), ascii("acme"),
            ascii("x-name-bin"), "Zoë".getBytes(StandardCharsets.UTF_8),
            ascii("x-blob-bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0},
            ascii("grpc-trace-bin"), ascii("reserved"),
            ascii("-bin"), ascii("no name"),
            ascii("x-lines-bin"), "a\nb".getBytes(StandardCharsets.UTF_8),
            ascii("x-tenant"), ascii("globex"));

    Headers headers = Wire.headers(metadata);

    assertThat(headers.size()).isEqualTo(2);
    assertThat(headers.get("x-tenant")).contains("globex"); // the later value, as get() gives
    assertThat(headers.get("x-name")).contains("Zoë");
    assertThat(Wire.contentType(metadata)).isEqualTo(Wire.JSON);
  }

  @Test
  void headersSurviveTheRoundTripThroughMetadata() {
    Headers sent = Headers.of("x-tenant", "acme", "x-name", "Zoë", "x-empty", "");

    Headers received = Wire.headers(Wire.metadata(sent, Wire.PROTOBUF));

    assertThat(received.size()).isEqualTo(3);
    assertThat(received.get("x-tenant")).contains("acme");
    assertThat(received.get("x-name")).contains("Zoë");
    assertThat(received.get("x-empty")).contains("");
  }

  @Test
  void noMetadataIsNoHeaders() {
    assertThat(Wire.headers(new Metadata())).isSameAs(Headers.empty());
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
