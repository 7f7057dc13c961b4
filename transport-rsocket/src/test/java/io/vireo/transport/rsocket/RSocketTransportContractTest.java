package io.vireo.transport.rsocket;

import io.vireo.config.Config;
import io.vireo.testing.contract.TransportContract;
import io.vireo.transport.Transport;
import java.util.Map;

class RSocketTransportContractTest extends TransportContract {
  @Override
  protected Transport transport() {
    return new RSocketTransportProvider()
        .create(
            Config.of(
                Map.of(RSocketTransport.MAX_MESSAGE_SIZE_KEY, Integer.toString(maxMessageSize()))));
  }
}
