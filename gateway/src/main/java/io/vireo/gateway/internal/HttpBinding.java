package io.vireo.gateway.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.DescriptorProtos.MethodOptions;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.netty.handler.codec.http.HttpMethod;
import io.vireo.Status;
import io.vireo.VireoException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code google.api.http} binding of a method: HTTP method and path template, where the body
 * goes ({@code *}, a field, or nowhere — then query parameters fill the fields), and which field of
 * the reply is the body ({@code response_body}).
 */
public record HttpBinding(
    String service,
    MethodDescriptor method,
    HttpMethod httpMethod,
    HttpTemplate template,
    String body,
    String responseBody) {

  /** The bindings of a method: its rule and the rule's additional bindings. */
  public static List<HttpBinding> of(String service, MethodDescriptor method) {
    Optional<HttpRule> rule = rule(method.getOptions());
    List<HttpBinding> bindings = new ArrayList<>();
    rule.ifPresent(
        r -> {
          add(bindings, service, method, r);
          for (HttpRule additional : r.getAdditionalBindingsList()) {
            add(bindings, service, method, additional);
          }
        });
    return bindings;
  }

  static Optional<HttpRule> rule(MethodOptions options) {
    if (options.hasExtension(AnnotationsProto.http)) {
      return Optional.of(options.getExtension(AnnotationsProto.http));
    }
    // options parsed without the extension registered (descriptors from reflection)
    UnknownFieldSet.Field field =
        options.getUnknownFields().getField(AnnotationsProto.HTTP_FIELD_NUMBER);
    if (field == null || field.getLengthDelimitedList().isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(HttpRule.parseFrom(field.getLengthDelimitedList().get(0)));
    } catch (InvalidProtocolBufferException e) {
      return Optional.empty();
    }
  }

  private static void add(
      List<HttpBinding> bindings, String service, MethodDescriptor method, HttpRule rule) {
    HttpMethod httpMethod;
    String path;
    switch (rule.getPatternCase()) {
      case GET -> {
        httpMethod = HttpMethod.GET;
        path = rule.getGet();
      }
      case POST -> {
        httpMethod = HttpMethod.POST;
        path = rule.getPost();
      }
      case PUT -> {
        httpMethod = HttpMethod.PUT;
        path = rule.getPut();
      }
      case PATCH -> {
        httpMethod = HttpMethod.PATCH;
        path = rule.getPatch();
      }
      case DELETE -> {
        httpMethod = HttpMethod.DELETE;
        path = rule.getDelete();
      }
      case CUSTOM -> {
        httpMethod = HttpMethod.valueOf(rule.getCustom().getKind());
        path = rule.getCustom().getPath();
      }
      default -> {
        return;
      }
    }
    bindings.add(
        new HttpBinding(
            service,
            method,
            httpMethod,
            HttpTemplate.parse(path),
            rule.getBody(),
            rule.getResponseBody()));
  }

  /**
   * Builds the request message: body, then path variables, then (for fields not bound otherwise)
   * query parameters.
   */
  public DynamicMessage request(
      Transcoder transcoder,
      byte[] json,
      List<String[]> pathValues,
      Map<String, List<String>> query) {
    DynamicMessage.Builder builder = DynamicMessage.newBuilder(method.getInputType());
    if (body.equals("*")) {
      transcoder.merge(builder, json);
    } else if (!body.isEmpty()) {
      FieldDescriptor field = method.getInputType().findFieldByName(body);
      if (field == null) {
        throw new VireoException(
            Status.INTERNAL,
            "google.api.http body '"
                + body
                + "' is not a field of "
                + method.getInputType().getFullName());
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
        Message.Builder sub = builder.newBuilderForField(field);
        transcoder.merge(sub, json);
        builder.setField(field, sub.build());
      } else {
        String wrapped =
            "{\"" + field.getJsonName() + "\":" + new String(json, StandardCharsets.UTF_8) + "}";
        transcoder.merge(builder, wrapped.getBytes(StandardCharsets.UTF_8));
      }
    }
    Set<String> bound = new HashSet<>();
    for (String[] value : pathValues) {
      Transcoder.setField(builder, value[0], List.of(value[1]));
      bound.add(value[0]);
    }
    if (!body.equals("*")) {
      query.forEach(
          (name, values) -> {
            boolean underBody =
                !body.isEmpty() && (name.equals(body) || name.startsWith(body + "."));
            if (!bound.contains(name) && !underBody) {
              Transcoder.setField(builder, name, values);
            }
          });
    }
    return builder.build();
  }

  /** The JSON of the reply, or of its {@code response_body} field. */
  public byte[] reply(Transcoder transcoder, byte[] protobuf) {
    if (responseBody.isEmpty()) {
      return transcoder.print(method.getOutputType(), protobuf);
    }
    try {
      DynamicMessage reply = DynamicMessage.parseFrom(method.getOutputType(), protobuf);
      FieldDescriptor field = method.getOutputType().findFieldByName(responseBody);
      if (field == null) {
        throw new VireoException(
            Status.INTERNAL,
            "google.api.http response_body '"
                + responseBody
                + "' is not a field of "
                + method.getOutputType().getFullName());
      }
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !field.isRepeated()) {
        return transcoder.print((Message) reply.getField(field));
      }
      // a scalar or repeated field: the reply's JSON narrowed to that field's value
      String whole = new String(transcoder.print(reply), StandardCharsets.UTF_8);
      JsonNode node = new ObjectMapper().readTree(whole).get(field.getJsonName());
      return (node == null ? "null" : node.toString()).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw new VireoException(
          Status.INTERNAL,
          "reply is not a " + method.getOutputType().getFullName() + ": " + e.getMessage(),
          e);
    }
  }
}
