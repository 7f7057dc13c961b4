package io.vireo.registry.zookeeper;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vireo.registry.ServiceInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.InstanceSerializer;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps Vireo's {@link ServiceInstance} to a curator-x-discovery instance and back.
 *
 * <p>The payload is a plain JSON object (a {@code java.util.LinkedHashMap} to Jackson), so that a
 * Curator client without Vireo's classes can read it. Writing goes through Curator's own {@link
 * JsonInstanceSerializer}, byte for byte what a plain Curator client writes; reading is lenient: a
 * payload of any shape (or a foreign {@code @class}) still yields the instance, with Vireo's
 * defaults for what the payload does not say.
 */
final class InstanceCodec implements InstanceSerializer<Object> {
  private static final Logger logger = LoggerFactory.getLogger(InstanceCodec.class);

  static final String DEFAULT_TRANSPORT = "rsocket";
  static final String VERSION = "version";
  static final String TRANSPORT = "transport";
  static final String WEIGHT = "weight";
  static final String METADATA = "metadata";
  static final String ENDPOINTS = "endpoints";

  private final JsonInstanceSerializer<Object> writer = new JsonInstanceSerializer<>(Object.class);
  private final ObjectMapper mapper =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  @Override
  public byte[] serialize(org.apache.curator.x.discovery.ServiceInstance<Object> instance)
      throws Exception {
    return writer.serialize(instance);
  }

  @Override
  @SuppressWarnings("unchecked")
  public org.apache.curator.x.discovery.ServiceInstance<Object> deserialize(byte[] bytes)
      throws Exception {
    JsonNode root = mapper.readTree(bytes);
    if (!(root instanceof ObjectNode object)) {
      throw new IOException(
          "not a service instance (expected: a JSON object): "
              + new String(bytes, StandardCharsets.UTF_8));
    }
    JsonNode payloadNode = object.remove("payload");
    org.apache.curator.x.discovery.ServiceInstance<Object> raw =
        mapper.treeToValue(object, org.apache.curator.x.discovery.ServiceInstance.class);
    Object payload = null;
    if (payloadNode != null && payloadNode.isObject()) {
      Map<String, Object> map = mapper.convertValue(payloadNode, LinkedHashMap.class);
      map.remove("@class");
      payload = map;
    }
    return new org.apache.curator.x.discovery.ServiceInstance<>(
        raw.getName(),
        raw.getId(),
        raw.getAddress(),
        raw.getPort(),
        raw.getSslPort(),
        payload,
        raw.getRegistrationTimeUTC(),
        raw.getServiceType(),
        raw.getUriSpec(),
        raw.isEnabled());
  }

  /** Vireo's instance as Curator's: Vireo's own fields go in the payload. */
  static org.apache.curator.x.discovery.ServiceInstance<Object> toCurator(
      ServiceInstance instance) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put(VERSION, instance.version());
    payload.put(TRANSPORT, instance.transport());
    payload.put(WEIGHT, instance.weight());
    payload.put(METADATA, new LinkedHashMap<>(new TreeMap<>(instance.metadata())));
    payload.put(ENDPOINTS, new ArrayList<>(instance.endpoints()));
    return new org.apache.curator.x.discovery.ServiceInstance<>(
        instance.service(),
        instance.id(),
        instance.host(),
        instance.port(),
        null,
        payload,
        System.currentTimeMillis(),
        ServiceType.DYNAMIC,
        new UriSpec(instance.transport() + "://{address}:{port}"),
        true);
  }

  /**
   * Curator's instance as Vireo's; empty (and logged) when it has no address or port, or is
   * disabled. An instance without Vireo's payload gets transport {@code rsocket}, version "",
   * weight 100 and no metadata or endpoints.
   */
  static Optional<ServiceInstance> toVireo(
      org.apache.curator.x.discovery.ServiceInstance<?> instance) {
    if (!instance.isEnabled()) {
      return Optional.empty();
    }
    String name = instance.getName();
    String id = instance.getId();
    String address = instance.getAddress();
    Integer port = instance.getPort() != null ? instance.getPort() : instance.getSslPort();
    if (name == null
        || name.isEmpty()
        || id == null
        || id.isEmpty()
        || address == null
        || address.isEmpty()
        || port == null) {
      logger.debug("Ignoring instance without name, id, address or port: {}", instance);
      return Optional.empty();
    }
    Map<?, ?> payload = instance.getPayload() instanceof Map<?, ?> map ? map : Map.of();
    try {
      return Optional.of(
          new ServiceInstance(
              name,
              id,
              address,
              port,
              text(payload.get(TRANSPORT)).filter(t -> !t.isEmpty()).orElse(DEFAULT_TRANSPORT),
              text(payload.get(VERSION)).orElse(""),
              weight(payload.get(WEIGHT)),
              metadata(payload.get(METADATA)),
              endpoints(payload.get(ENDPOINTS))));
    } catch (IllegalArgumentException e) {
      logger.warn("Ignoring instance {}/{} that Vireo cannot use: {}", name, id, e.getMessage());
      return Optional.empty();
    }
  }

  private static Optional<String> text(@Nullable Object value) {
    return value == null || value instanceof Map || value instanceof List
        ? Optional.empty()
        : Optional.of(value.toString());
  }

  private static int weight(@Nullable Object value) {
    if (value instanceof Number number && number.intValue() > 0) {
      return number.intValue();
    }
    if (value instanceof String text) {
      try {
        int parsed = Integer.parseInt(text.trim());
        if (parsed > 0) {
          return parsed;
        }
      } catch (NumberFormatException ignored) {
        // the default below
      }
    }
    return ServiceInstance.DEFAULT_WEIGHT;
  }

  private static Map<String, String> metadata(@Nullable Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      return Map.of();
    }
    Map<String, String> result = new LinkedHashMap<>();
    map.forEach((k, v) -> text(v).ifPresent(text -> result.put(String.valueOf(k), text)));
    return result;
  }

  private static List<String> endpoints(@Nullable Object value) {
    if (!(value instanceof List<?> list)) {
      return List.of();
    }
    List<String> result = new ArrayList<>();
    for (Object item : list) {
      text(item).ifPresent(result::add);
    }
    return result;
  }
}
