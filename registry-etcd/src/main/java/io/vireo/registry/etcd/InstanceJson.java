package io.vireo.registry.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vireo.registry.ServiceInstance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An instance as the JSON of a curator-x-discovery {@code ServiceInstance}, the same document the
 * ZooKeeper registry keeps in its znodes, so that a tool that reads one registry reads the other.
 * Written field by field in the order Curator's {@code JsonInstanceSerializer} writes; Vireo's own
 * fields are in the payload, a plain JSON object. Reading is lenient in the same ways as the
 * ZooKeeper registry's: another payload, a missing port or a disabled instance.
 */
final class InstanceJson {
  private static final Logger logger = LoggerFactory.getLogger(InstanceJson.class);
  private static final ObjectMapper mapper = new ObjectMapper();

  static final String DEFAULT_TRANSPORT = "rsocket";

  private InstanceJson() {}

  static byte[] write(ServiceInstance instance, long registrationTimeUtc) {
    ObjectNode root = mapper.createObjectNode();
    root.put("name", instance.service());
    root.put("id", instance.id());
    root.put("address", instance.host());
    root.put("port", instance.port());
    root.putNull("sslPort");
    ObjectNode payload = root.putObject("payload");
    payload.put("@class", "java.util.LinkedHashMap");
    payload.put("version", instance.version());
    payload.put("transport", instance.transport());
    payload.put("weight", instance.weight());
    ObjectNode metadata = payload.putObject("metadata");
    new TreeMap<>(instance.metadata()).forEach(metadata::put);
    ArrayNode endpoints = payload.putArray("endpoints");
    instance.endpoints().forEach(endpoints::add);
    root.put("registrationTimeUTC", registrationTimeUtc);
    root.put("serviceType", "DYNAMIC");
    ArrayNode parts = root.putObject("uriSpec").putArray("parts");
    parts.addObject().put("value", instance.transport() + "://").put("variable", false);
    parts.addObject().put("value", "address").put("variable", true);
    parts.addObject().put("value", ":").put("variable", false);
    parts.addObject().put("value", "port").put("variable", true);
    try {
      return mapper.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write instance " + instance.id() + " as JSON", e);
    }
  }

  /** The instance in {@code json}; empty (and logged) when it is not one Vireo can use. */
  static Optional<ServiceInstance> read(String key, byte[] json) {
    JsonNode root;
    try {
      root = mapper.readTree(json);
    } catch (IOException e) {
      logger.warn("Ignoring {}: not JSON ({})", key, e.getMessage());
      return Optional.empty();
    }
    if (root == null || !root.isObject()) {
      logger.warn("Ignoring {}: not a service instance (expected: a JSON object)", key);
      return Optional.empty();
    }
    if (root.path("enabled").isBoolean() && !root.path("enabled").booleanValue()) {
      return Optional.empty();
    }
    String name = text(root.get("name")).orElse("");
    String id = text(root.get("id")).orElse("");
    String address = text(root.get("address")).orElse("");
    Optional<Integer> port = number(root.get("port")).or(() -> number(root.get("sslPort")));
    if (name.isEmpty() || id.isEmpty() || address.isEmpty() || port.isEmpty()) {
      logger.debug("Ignoring {}: an instance without name, id, address or port", key);
      return Optional.empty();
    }
    JsonNode payload = root.path("payload");
    try {
      return Optional.of(
          new ServiceInstance(
              name,
              id,
              address,
              port.get(),
              text(payload.get("transport")).filter(t -> !t.isEmpty()).orElse(DEFAULT_TRANSPORT),
              text(payload.get("version")).orElse(""),
              weight(payload.get("weight")),
              metadata(payload.get("metadata")),
              endpoints(payload.get("endpoints"))));
    } catch (IllegalArgumentException e) {
      logger.warn("Ignoring instance {}/{} that Vireo cannot use: {}", name, id, e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<String> text(JsonNode node) {
    return node == null || node.isNull() || node.isContainerNode()
        ? Optional.empty()
        : Optional.of(node.asText());
  }

  private static Optional<Integer> number(JsonNode node) {
    if (node != null && node.isInt()) {
      return Optional.of(node.intValue());
    }
    if (node != null && node.isTextual()) {
      try {
        return Optional.of(Integer.parseInt(node.textValue().trim()));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static int weight(JsonNode node) {
    return number(node).filter(weight -> weight > 0).orElse(ServiceInstance.DEFAULT_WEIGHT);
  }

  private static Map<String, String> metadata(JsonNode node) {
    if (node == null || !node.isObject()) {
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    node.properties()
        .forEach(
            field -> text(field.getValue()).ifPresent(value -> result.put(field.getKey(), value)));
    return result;
  }

  private static List<String> endpoints(JsonNode node) {
    if (node == null || !node.isArray()) {
      return List.of();
    }
    List<String> result = new ArrayList<>();
    node.forEach(item -> text(item).ifPresent(result::add));
    return result;
  }
}
