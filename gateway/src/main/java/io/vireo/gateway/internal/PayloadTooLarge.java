package io.vireo.gateway.internal;

import io.vireo.Status;
import io.vireo.VireoException;

/** A request body over the route's limit: RESOURCE_EXHAUSTED, answered {@code 413}. */
final class PayloadTooLarge extends VireoException {
  private static final long serialVersionUID = 1L;

  PayloadTooLarge(long limit) {
    super(Status.RESOURCE_EXHAUSTED, "request body over " + limit + " bytes (max-body-size)");
  }
}
