package io.vireo.testing.contract;

import io.vireo.transport.Transport;
import io.vireo.transport.memory.MemoryTransport;

/** The embedded default keeps the wire's rules: it runs the transport contract too. */
class MemoryTransportContractTest extends TransportContract {
  @Override
  protected Transport transport() {
    return new MemoryTransport(maxMessageSize());
  }
}
