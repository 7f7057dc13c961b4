package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BytesTest {
  private static final byte[] MESSAGE = "hello, gRPC".getBytes(StandardCharsets.UTF_8);

  @Test
  void aMessageDrainsInOneWriteAndIsThenEmpty() throws IOException {
    InputStream stream = Bytes.MARSHALLER.stream(MESSAGE);
    assertThat(stream).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
    assertThat(stream.available()).isEqualTo(MESSAGE.length);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(((Drainable) stream).drainTo(out)).isEqualTo(MESSAGE.length);
    assertThat(out.toByteArray()).isEqualTo(MESSAGE);
    assertThat(stream.available()).isZero();
    assertThat(stream.read()).isEqualTo(-1);
  }

  @Test
  void aMessageReadsLikeAnyStream() throws IOException {
    InputStream stream = Bytes.MARSHALLER.stream(MESSAGE);
    assertThat(stream.read()).isEqualTo(MESSAGE[0] & 0xff);
    assertThat(stream.skip(1)).isEqualTo(1);
    byte[] rest = new byte[64];
    int n = stream.read(rest, 0, rest.length);
    assertThat(n).isEqualTo(MESSAGE.length - 2);
    assertThat(stream.read(rest, 0, 0)).isZero();
    assertThat(stream.read(rest, 0, 1)).isEqualTo(-1);
    assertThat(stream.skip(5)).isZero();
  }

  @Test
  void whatIsStreamedParsesBack() {
    assertThat(Bytes.MARSHALLER.parse(Bytes.MARSHALLER.stream(MESSAGE))).isEqualTo(MESSAGE);
    assertThat(Bytes.MARSHALLER.parse(Bytes.MARSHALLER.stream(Bytes.EMPTY))).isEmpty();
  }
}
