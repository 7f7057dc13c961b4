package io.vireo.spring.internal;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The {@code vireo.*} keys of Spring's {@code Environment}, resolved the way Spring resolves them:
 * command-line arguments, system properties and environment variables above {@code
 * application-<profile>.yaml} above {@code application.yaml}, placeholders replaced.
 *
 * <p>Key names come from every source except the process environment, whose names lose their dashes
 * ({@code VIREO_BROKER_KAFKA_BOOTSTRAP_SERVERS} could be {@code bootstrap.servers} or {@code
 * bootstrap-servers}); an environment variable still wins over a file for a key a file names
 * (Spring's relaxed binding finds it), and a key only the environment names reaches Vireo through
 * Vireo's own environment layer.
 */
public final class EnvironmentSettings {
  private static final ConfigurationPropertyName VIREO = ConfigurationPropertyName.of("vireo");

  private EnvironmentSettings() {}

  public static Map<String, String> of(ConfigurableEnvironment environment) {
    Set<ConfigurationPropertyName> names = new LinkedHashSet<>();
    for (ConfigurationPropertySource source :
        ConfigurationPropertySources.from(environment.getPropertySources())) {
      if (source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource) {
        continue;
      }
      if (source instanceof IterableConfigurationPropertySource iterable) {
        iterable.stream().filter(VIREO::isAncestorOf).forEach(names::add);
      }
    }
    Binder binder = Binder.get(environment);
    Map<String, String> values = new TreeMap<>();
    for (ConfigurationPropertyName name : names) {
      binder
          .bind(name, Bindable.of(String.class))
          .ifBound(value -> values.put(name.toString(), value));
    }
    return values;
  }
}
