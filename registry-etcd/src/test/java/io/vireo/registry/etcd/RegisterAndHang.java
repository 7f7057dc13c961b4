package io.vireo.registry.etcd;

import io.vireo.registry.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A separate process that registers one instance and waits to be killed (see
 * EtcdRegistryFaultTest).
 */
public final class RegisterAndHang {
  private RegisterAndHang() {}

  public static void main(String[] args) throws Exception {
    EtcdRegistry registry =
        EtcdRegistry.builder()
            .endpoints(args[0])
            .leaseTtl(Duration.ofSeconds(Long.parseLong(args[3])))
            .build();
    registry
        .register(
            new ServiceInstance(
                args[1], args[2], "127.0.0.1", 7300, "rsocket", "1.0.0", 100, Map.of(), List.of()))
        .block(Duration.ofSeconds(20));
    System.out.println("REGISTERED");
    System.out.flush();
    // until killed; a safety net ends it if the test forgets
    new CountDownLatch(1).await(60, TimeUnit.SECONDS);
    System.exit(2);
  }
}
