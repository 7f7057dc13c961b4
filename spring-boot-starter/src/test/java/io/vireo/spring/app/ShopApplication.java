package io.vireo.spring.app;

import com.google.protobuf.StringValue;
import io.vireo.Service;
import io.vireo.spring.EchoImpl;
import io.vireo.spring.VireoSubscribe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import reactor.core.publisher.Mono;

/** A Spring Boot application that is a Vireo service: serves Echo, audits orders. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class ShopApplication {
  @Bean
  EchoImpl echo(Service service) {
    return new EchoImpl(service.name());
  }

  @Bean
  Audit audit() {
    return new Audit();
  }

  /** Hears {@code shop.ordered}. */
  public static class Audit {
    public final List<String> seen = new CopyOnWriteArrayList<>();

    @VireoSubscribe(topic = "shop.ordered")
    Mono<Void> ordered(StringValue order) {
      return Mono.fromRunnable(() -> seen.add(order.getValue()));
    }
  }
}
