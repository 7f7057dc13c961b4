package io.vireo.samples.spring;

import io.vireo.samples.greeter.proto.UserGreeted;
import io.vireo.spring.VireoSubscribe;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Hears {@code user.greeted}, whoever publishes it, and keeps the last names. */
@Component
public class GreetingLog {
  private static final Logger log = LoggerFactory.getLogger(GreetingLog.class);
  static final int KEPT = 100;

  private final List<String> names = new CopyOnWriteArrayList<>();

  @VireoSubscribe(topic = "user.greeted")
  void greeted(UserGreeted event) {
    log.info("user.greeted: {}", event.getName());
    names.add(event.getName());
    if (names.size() > KEPT) {
      names.remove(0);
    }
  }

  /** The names heard, oldest first. */
  public List<String> names() {
    return List.copyOf(names);
  }
}
