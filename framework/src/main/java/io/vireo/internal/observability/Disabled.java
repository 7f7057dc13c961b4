package io.vireo.internal.observability;

import io.vireo.wrapper.Wrapper;

/**
 * A wrapper a provider gives when what it wraps is not configured; the runtime leaves it out of
 * every chain.
 */
public final class Disabled implements Wrapper {
  public static final Disabled INSTANCE = new Disabled();

  private Disabled() {}
}
