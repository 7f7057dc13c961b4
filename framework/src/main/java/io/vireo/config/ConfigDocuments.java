package io.vireo.config;

import io.smallrye.config.source.yaml.YamlConfigSource;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a configuration document kept in a config center (a znode, an etcd key): a document whose
 * top level is a YAML mapping is YAML, flattened the way {@code vireo.yaml} is; anything else is
 * Java properties. One rule for every config source, so a document moves between centers as it is.
 */
public final class ConfigDocuments {
  private ConfigDocuments() {}

  /**
   * The keys and values of {@code data}; empty for a blank document.
   *
   * @param name where the document came from, for the error message
   * @throws IllegalArgumentException when the text is neither a YAML mapping nor Java properties
   */
  public static Map<String, String> parse(String name, byte[] data) {
    String text = new String(data, StandardCharsets.UTF_8);
    if (text.isBlank()) {
      return Map.of();
    }
    if (isYamlMapping(text)) {
      return Map.copyOf(new YamlConfigSource(name, text).getProperties());
    }
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          name + ": neither a YAML mapping nor Java properties: " + e.getMessage(), e);
    }
    Map<String, String> result = new TreeMap<>();
    properties.forEach((key, value) -> result.put(key.toString().trim(), value.toString().trim()));
    return Map.copyOf(result);
  }

  private static boolean isYamlMapping(String text) {
    try {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(text) instanceof Map;
    } catch (YAMLException e) {
      return false;
    }
  }
}
