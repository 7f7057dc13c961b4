package io.vireo.testing.contract;

import io.vireo.registry.Registry;
import io.vireo.registry.memory.MemoryRegistry;

/**
 * The embedded registry keeps the registry contract: each test gets its own store, each client a
 * handle on it.
 */
class MemoryRegistryContractTest extends RegistryContract {
  private final MemoryRegistry store = MemoryRegistry.newStore();

  @Override
  protected Registry newRegistry() {
    return store.handle();
  }
}
