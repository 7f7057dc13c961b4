package io.vireo.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.vireo.Status;
import io.vireo.VireoException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a command prints: JSON (one compact document per line, for {@code jq}) or, with {@code
 * --output table}, aligned columns for people.
 */
final class Output {
  static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final Options.Format format;
  private final List<String> columns = new ArrayList<>();
  private boolean headerDone;

  Output(PrintWriter out, Options.Format format) {
    this.out = out;
    this.format = format;
  }

  boolean table() {
    return format == Options.Format.table;
  }

  /** One document: a line of JSON, or (table) its fields as a row under a header printed once. */
  void row(Map<String, ?> document) {
    if (!table()) {
      out.println(json(document));
      return;
    }
    rows(List.of(document));
  }

  /** A message's JSON tree: one line of JSON, or (table) its top-level fields as a row. */
  void message(JsonNode tree) {
    if (table()) {
      row(fields(tree));
    } else {
      out.println(json(tree));
    }
  }

  /** One document printed as it is (JSON), or as indented JSON (table). */
  void document(Object document) {
    if (!table()) {
      out.println(json(document));
      return;
    }
    try {
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document));
    } catch (JsonProcessingException e) {
      throw VireoException.of(Status.INTERNAL, "cannot print: %s", e.getMessage());
    }
  }

  /** Several documents: JSON lines, or one table with a column per key. */
  void rows(List<? extends Map<String, ?>> documents) {
    if (!table()) {
      documents.forEach(this::row);
      return;
    }
    if (!headerDone) {
      Set<String> keys = new LinkedHashSet<>();
      documents.forEach(document -> keys.addAll(document.keySet()));
      columns.addAll(keys);
    }
    List<List<String>> cells = new ArrayList<>();
    for (Map<String, ?> document : documents) {
      List<String> cellsOf = new ArrayList<>();
      for (String column : columns) {
        Object value = document.get(column);
        cellsOf.add(value == null ? "" : value instanceof String text ? text : json(value));
      }
      cells.add(cellsOf);
    }
    int[] widths = new int[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      widths[i] = Math.max(columns.get(i).length(), 4);
      for (List<String> row : cells) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    if (!headerDone) {
      line(columns.stream().map(c -> c.toUpperCase(Locale.ROOT)).toList(), widths);
      headerDone = true;
    }
    cells.forEach(row -> line(row, widths));
  }

  private void line(List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      String cell = cells.get(i);
      line.append(cell);
      if (i < cells.size() - 1) {
        line.append(" ".repeat(Math.max(1, widths[i] - cell.length() + 2)));
      }
    }
    out.println(line.toString().stripTrailing());
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw VireoException.of(Status.INTERNAL, "cannot print: %s", e.getMessage());
    }
  }

  /**
   * A protobuf message as a JSON tree (proto3 JSON mapping), with every type of the registry
   * resolvable.
   */
  static JsonNode tree(Message message, JsonFormat.TypeRegistry types) {
    try {
      return JSON.readTree(JsonFormat.printer().usingTypeRegistry(types).print(message));
    } catch (InvalidProtocolBufferException | JsonProcessingException e) {
      throw VireoException.of(
          Status.INTERNAL,
          "cannot print %s as JSON: %s",
          message.getDescriptorForType().getFullName(),
          e.getMessage());
    }
  }

  /** A JSON tree's top-level fields, for a table row. */
  static Map<String, Object> fields(JsonNode node) {
    Map<String, Object> fields = new LinkedHashMap<>();
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> entries = object.fields();
      while (entries.hasNext()) {
        Map.Entry<String, JsonNode> entry = entries.next();
        fields.put(
            entry.getKey(),
            entry.getValue().isValueNode() ? entry.getValue().asText() : entry.getValue());
      }
    }
    return fields;
  }
}
