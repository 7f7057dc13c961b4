package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.vireo.Headers;
import org.junit.jupiter.api.Test;

class DeadlineHeaderTest {
  private static final Metadata.Key<String> VIREO_TIMEOUT =
      Metadata.Key.of(Headers.TIMEOUT, Metadata.ASCII_STRING_MARSHALLER);

  @Test
  void everyUnitReadsAsMillisecondsRoundedUp() {
    assertThat(DeadlineHeader.millis("2H")).isEqualTo(7_200_000);
    assertThat(DeadlineHeader.millis("3M")).isEqualTo(180_000);
    assertThat(DeadlineHeader.millis("30S")).isEqualTo(30_000);
    assertThat(DeadlineHeader.millis("29999m")).isEqualTo(29_999);
    assertThat(DeadlineHeader.millis("1500u")).isEqualTo(2);
    assertThat(DeadlineHeader.millis("1n")).isEqualTo(1);
    assertThat(DeadlineHeader.millis("0m")).isEqualTo(1);
    assertThat(DeadlineHeader.millis("99999999S")).isEqualTo(99_999_999_000L);
  }

  @Test
  void whatIsNotAGrpcTimeoutReadsAsNone() {
    assertThat(DeadlineHeader.millis("")).isZero();
    assertThat(DeadlineHeader.millis("m")).isZero();
    assertThat(DeadlineHeader.millis("30")).isZero();
    assertThat(DeadlineHeader.millis("30s")).isZero();
    assertThat(DeadlineHeader.millis("-1S")).isZero();
    assertThat(DeadlineHeader.millis("123456789m")).isZero(); // nine digits: over the limit
  }

  @Test
  void theClientWritesWholeMillisecondsWithinEightDigits() {
    assertThat(Wire.grpcTimeout(30_000)).isEqualTo("30000m");
    assertThat(Wire.grpcTimeout(99_999_999)).isEqualTo("99999999m");
    assertThat(Wire.grpcTimeout(100_000_000)).isEqualTo("100000S");
    assertThat(Wire.grpcTimeout(Long.MAX_VALUE)).isEqualTo("99999999H");
    for (long millis : new long[] {1, 999, 30_000, 99_999_999, 100_000_000, 7_200_000_000L}) {
      assertThat(DeadlineHeader.millis(Wire.grpcTimeout(millis))).isLessThanOrEqualTo(millis);
    }
  }

  @Test
  void aValidGrpcTimeoutBecomesTheCallsTimeoutHeader() {
    Metadata headers = new Metadata();
    headers.put(Wire.GRPC_TIMEOUT, "250u");
    headers.put(VIREO_TIMEOUT, "999999");
    new DeadlineHeader().newServerStreamTracer("svc/Method", headers);
    assertThat(headers.containsKey(Wire.GRPC_TIMEOUT)).isFalse();
    assertThat(headers.getAll(VIREO_TIMEOUT)).containsExactly("1");
  }

  @Test
  void anInvalidGrpcTimeoutIsLeftForGrpcJavaToRefuse() {
    Metadata headers = new Metadata();
    headers.put(Wire.GRPC_TIMEOUT, "soon");
    new DeadlineHeader().newServerStreamTracer("svc/Method", headers);
    assertThat(headers.get(Wire.GRPC_TIMEOUT)).isEqualTo("soon");
    assertThat(headers.containsKey(VIREO_TIMEOUT)).isFalse();
  }
}
