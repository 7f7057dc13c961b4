package io.vireo.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vireo.Headers;
import io.vireo.Status;
import io.vireo.VireoException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RedeliveryPolicyTest {
  private final RedeliveryPolicy policy =
      RedeliveryPolicy.of(
          SubscribeOptions.builder().maxRetries(40).retryBackoff(Duration.ofMillis(100)).build());

  @Test
  void doublesTheWaitUpToTheCap() {
    assertThat(policy.backoff(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(1)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.backoff(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(policy.backoff(9)).isEqualTo(RedeliveryPolicy.MAX_BACKOFF);
    assertThat(policy.backoff(39)).isEqualTo(RedeliveryPolicy.MAX_BACKOFF);
  }

  @Test
  void retriesUntilMaxRetriesExceptInvalidArgument() {
    VireoException unavailable = VireoException.of(Status.UNAVAILABLE, "away");
    assertThat(policy.retries(unavailable, 39)).isTrue();
    assertThat(policy.retries(unavailable, 40)).isFalse();
    assertThat(policy.retries(VireoException.of(Status.INVALID_ARGUMENT, "undecodable"), 0))
        .isFalse();
  }

  @Test
  void deadLetterHeadersReplaceDeliveryCountAndOldDeadLetterHeaders() {
    Headers original =
        Headers.of("x-origin", "test", Message.REDELIVERY, "3", Message.DLT_STATUS, "INTERNAL");
    Headers dead =
        DeadLetterHeaders.of(
            original,
            "orders",
            2,
            41,
            VireoException.of(Status.UNAVAILABLE, "line one\nline two" + "x".repeat(2000)));

    assertThat(dead.asMap())
        .containsEntry("x-origin", "test")
        .containsEntry(Message.DLT_ORIGINAL_TOPIC, "orders")
        .containsEntry(Message.DLT_ORIGINAL_PARTITION, "2")
        .containsEntry(Message.DLT_ORIGINAL_OFFSET, "41")
        .containsEntry(Message.DLT_STATUS, "UNAVAILABLE")
        .doesNotContainKey(Message.REDELIVERY);
    assertThat(dead.get(Message.DLT_ERROR).orElseThrow())
        .contains("line one line two")
        .hasSizeLessThanOrEqualTo(DeadLetterHeaders.MAX_ERROR_LENGTH);
  }
}
