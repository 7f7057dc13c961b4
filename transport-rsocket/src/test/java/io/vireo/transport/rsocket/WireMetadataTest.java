package io.vireo.transport.rsocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.rsocket.metadata.AuthMetadataCodec;
import io.rsocket.metadata.CompositeMetadata;
import io.rsocket.metadata.RoutingMetadata;
import io.rsocket.metadata.WellKnownAuthType;
import io.vireo.Headers;
import io.vireo.Route;
import io.vireo.Status;
import io.vireo.VireoException;
import io.vireo.transport.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireMetadataTest {
  private static final Route SAY_HELLO = Route.of("vireo.samples.greeter.Greeter", "SayHello");

  @Test
  void writesEntriesRSocketJavaReads() {
    Headers headers =
        Headers.of("authorization", "Bearer t0k3n", "vireo-timeout", "250", "x-tenant", "acme");
    ByteBuf metadata =
        WireMetadata.encode(
            new Frame(SAY_HELLO, "application/json", headers, new byte[0]),
            "application/x-protobuf");

    List<String> mimeTypes = new ArrayList<>();
    for (CompositeMetadata.Entry entry : new CompositeMetadata(metadata, false)) {
      mimeTypes.add(entry.getMimeType());
      switch (entry.getMimeType()) {
        case "message/x.rsocket.routing.v0" ->
            assertThat(new RoutingMetadata(entry.getContent()))
                .containsExactly("vireo.samples.greeter.Greeter.SayHello");
        case "message/x.rsocket.mime-type.v0" ->
            assertThat((int) entry.getContent().getUnsignedByte(0)).isEqualTo(0x85);
        case "message/x.rsocket.authentication.v0" -> {
          assertThat(AuthMetadataCodec.readWellKnownAuthType(entry.getContent()))
              .isEqualTo(WellKnownAuthType.BEARER);
          assertThat(new String(AuthMetadataCodec.readBearerTokenAsCharArray(entry.getContent())))
              .isEqualTo("t0k3n");
        }
        case "message/x.vireo.headers.v0" ->
            assertThat(entry.getContent().toString(StandardCharsets.UTF_8))
                .isEqualTo("vireo-timeout: 250\nx-tenant: acme\n");
        default -> throw new AssertionError("unexpected entry " + entry.getMimeType());
      }
    }
    assertThat(mimeTypes)
        .containsExactly(
            "message/x.rsocket.routing.v0", "message/x.rsocket.mime-type.v0",
            "message/x.rsocket.authentication.v0", "message/x.vireo.headers.v0");
  }

  @Test
  void writesTheReadmeExampleByteForByte() {
    Headers headers =
        Headers.of(
            "authorization",
            "Bearer t0k3n1234",
            "vireo-timeout",
            "250",
            "vireo-caller",
            "frontend");
    ByteBuf metadata =
        WireMetadata.encode(
            new Frame(SAY_HELLO, "application/json", headers, new byte[0]), "application/json");

    ByteBuf expected = Unpooled.buffer();
    expected
        .writeByte(0xFE)
        .writeMedium(0x27)
        .writeByte(0x26)
        .writeCharSequence(SAY_HELLO.fullName(), StandardCharsets.US_ASCII);
    expected
        .writeByte(0xFC)
        .writeMedium(0x0A)
        .writeByte(0x81)
        .writeCharSequence("t0k3n1234", StandardCharsets.US_ASCII);
    expected
        .writeByte(0x19)
        .writeCharSequence("message/x.vireo.headers.v0", StandardCharsets.US_ASCII);
    expected
        .writeMedium(0x2A)
        .writeCharSequence(
            "vireo-timeout: 250\nvireo-caller: frontend\n", StandardCharsets.US_ASCII);
    assertThat(ByteBufUtil.hexDump(metadata)).isEqualTo(ByteBufUtil.hexDump(expected));
  }

  @Test
  void readsBackWhatItWrites() {
    Headers headers =
        Headers.of(
            "authorization", "Bearer abc", "traceparent", "00-1-2-01", "x-note", "caf\u00e9: ok");
    Frame frame = new Frame(SAY_HELLO, "application/vnd.custom", headers, new byte[] {1, 2});
    Frame decoded =
        WireMetadata.decode(
            WireMetadata.encode(frame, "application/x-protobuf"),
            "application/x-protobuf",
            frame.data());

    assertThat(decoded.route()).isEqualTo(SAY_HELLO);
    assertThat(decoded.contentType()).isEqualTo("application/vnd.custom");
    assertThat(decoded.headers().asMap()).isEqualTo(headers.asMap());
  }

  @Test
  void leavesOutEntriesThatWouldBeEmpty() {
    ByteBuf metadata =
        WireMetadata.encode(
            new Frame(SAY_HELLO, "application/x-protobuf", Headers.empty(), new byte[0]),
            "application/x-protobuf");
    List<String> mimeTypes = new ArrayList<>();
    new CompositeMetadata(metadata, false).forEach(entry -> mimeTypes.add(entry.getMimeType()));
    assertThat(mimeTypes).containsExactly("message/x.rsocket.routing.v0");

    Frame decoded = WireMetadata.decode(metadata, "application/x-protobuf", new byte[0]);
    assertThat(decoded.contentType()).isEqualTo("application/x-protobuf");
    assertThat(decoded.headers().isEmpty()).isTrue();
  }

  @Test
  void rejectsMetadataWithoutRouteOrTruncated() {
    assertThatThrownBy(
            () -> WireMetadata.decode(Unpooled.EMPTY_BUFFER, "application/json", new byte[0]))
        .isInstanceOfSatisfying(
            VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT));
    ByteBuf truncated = Unpooled.buffer().writeByte(0xFE).writeMedium(40).writeByte(3);
    assertThatThrownBy(() -> WireMetadata.decode(truncated, "application/json", new byte[0]))
        .isInstanceOfSatisfying(
            VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT));
    ByteBuf noDot = Unpooled.buffer().writeByte(0xFE).writeMedium(4).writeByte(3);
    noDot.writeCharSequence("abc", StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> WireMetadata.decode(noDot, "application/json", new byte[0]))
        .isInstanceOfSatisfying(
            VireoException.class, e -> assertThat(e.status()).isEqualTo(Status.UNIMPLEMENTED));
  }

  @Test
  void readsHeaderLinesAsAnyClientWritesThem() {
    Frame decoded =
        WireMetadata.decode(
            withHeadersEntry("Vireo-Caller: gateway\r\nvireo-timeout:250\n\nX-Note: a: b\n"),
            "application/json",
            new byte[0]);
    assertThat(decoded.headers().asMap())
        .containsExactly(
            Map.entry("vireo-caller", "gateway"),
            Map.entry("vireo-timeout", "250"),
            Map.entry("x-note", "a: b"));

    assertThatThrownBy(
            () ->
                WireMetadata.decode(
                    withHeadersEntry("vireo-caller gateway\n"), "application/json", new byte[0]))
        .isInstanceOfSatisfying(
            VireoException.class,
            e -> {
              assertThat(e.status()).isEqualTo(Status.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("'vireo-caller gateway' (expected: name: value)");
            });
  }

  @Test
  void tellsApartRoutesOfTheSameLengthAndLastByte() {
    // the same slot of the recent-routes cache: each must still come back as itself
    Route a = Route.of("vireo.test.Alpha", "Get");
    Route b = Route.of("vireo.test.Omega", "Get");
    for (int round = 0; round < 3; round++) {
      for (Route route : List.of(a, b, a, a, b)) {
        ByteBuf metadata =
            WireMetadata.encode(
                new Frame(route, "application/json", Headers.empty(), new byte[0]),
                "application/json");
        assertThat(WireMetadata.decode(metadata, "application/json", new byte[0]).route())
            .isEqualTo(route);
      }
    }
  }

  /** A routing entry for SayHello, then a Vireo headers entry of {@code lines}. */
  private static ByteBuf withHeadersEntry(String lines) {
    ByteBuf metadata =
        WireMetadata.encode(
            new Frame(SAY_HELLO, "application/json", Headers.empty(), new byte[0]),
            "application/json");
    byte[] mime = WireMetadata.HEADERS_MIME_TYPE.getBytes(StandardCharsets.US_ASCII);
    byte[] text = lines.getBytes(StandardCharsets.UTF_8);
    metadata.writeByte(mime.length - 1).writeBytes(mime).writeMedium(text.length).writeBytes(text);
    return metadata;
  }
}
