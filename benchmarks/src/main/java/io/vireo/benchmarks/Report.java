package io.vireo.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns the RESULT lines of a run into {@code latest.md} (each Vireo figure, its raw counterpart,
 * the ratio and the target) and {@code latest.svg} (the ratios as bars). Several rounds of the same
 * figure are averaged.
 *
 * <pre>java -cp ... io.vireo.benchmarks.Report RESULTS_DIR OUT_DIR "machine description" [jmh.txt]
 * </pre>
 */
public final class Report {
  private Report() {}

  /** One line of the table: a Vireo figure against a raw one. {@code higherIsBetter} for rates. */
  record Row(
      String label,
      String vireo,
      String raw,
      String metric,
      double target,
      boolean higherIsBetter) {}

  record Line(
      String label,
      Optional<Double> vireo,
      Optional<Double> raw,
      String unit,
      double target,
      boolean higherIsBetter) {
    Optional<Double> ratio() {
      return vireo.flatMap(v -> raw.filter(r -> r > 0).map(r -> v / r));
    }

    String verdict() {
      return ratio()
          .map(r -> (higherIsBetter ? r >= target : r <= target) ? "yes" : "**no**")
          .orElse("n/a");
    }
  }

  private static final List<Row> ROWS =
      List.of(
          new Row(
              "RSocket unary, 1 in flight: calls/s",
              "vireo-rsocket/unary/1",
              "raw-rsocket/unary/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "RSocket unary, 1 in flight: p99 µs",
              "vireo-rsocket/unary/1",
              "raw-rsocket/unary/1",
              "p99_us",
              1.3,
              false),
          new Row(
              "RSocket unary, 64 in flight: calls/s",
              "vireo-rsocket/unary/64",
              "raw-rsocket/unary/64",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "RSocket unary, 64 in flight: p50 µs",
              "vireo-rsocket/unary/64",
              "raw-rsocket/unary/64",
              "p50_us",
              1.2,
              false),
          new Row(
              "RSocket unary, 64 in flight: p99 µs",
              "vireo-rsocket/unary/64",
              "raw-rsocket/unary/64",
              "p99_us",
              1.3,
              false),
          new Row(
              "RSocket server stream: messages/s",
              "vireo-rsocket/server-stream/1",
              "raw-rsocket/server-stream/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "RSocket client stream: messages/s",
              "vireo-rsocket/client-stream/1",
              "raw-rsocket/client-stream/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "RSocket bidi stream: messages/s",
              "vireo-rsocket/bidi/1",
              "raw-rsocket/bidi/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "RSocket fire-and-forget: messages/s",
              "vireo-rsocket/fire/1",
              "raw-rsocket/fire/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "gRPC unary, 1 in flight: calls/s",
              "vireo-grpc/unary/1",
              "raw-grpc/unary/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "gRPC unary, 1 in flight: p99 µs",
              "vireo-grpc/unary/1",
              "raw-grpc/unary/1",
              "p99_us",
              1.3,
              false),
          new Row(
              "gRPC unary, 64 in flight: calls/s",
              "vireo-grpc/unary/64",
              "raw-grpc/unary/64",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "gRPC unary, 64 in flight: p99 µs",
              "vireo-grpc/unary/64",
              "raw-grpc/unary/64",
              "p99_us",
              1.3,
              false),
          new Row(
              "gRPC server stream: messages/s",
              "vireo-grpc/server-stream/1",
              "raw-grpc/server-stream/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "gRPC client stream: messages/s",
              "vireo-grpc/client-stream/1",
              "raw-grpc/client-stream/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "gRPC bidi stream: messages/s",
              "vireo-grpc/bidi/1",
              "raw-grpc/bidi/1",
              "ops_per_s",
              0.9,
              true),
          new Row(
              "Vireo/RSocket vs raw grpc-java, unary 64 in flight: calls/s",
              "vireo-rsocket/unary/64",
              "raw-grpc/unary/64",
              "ops_per_s",
              1.25,
              true),
          // the standard wrapper chain (metrics,tracing,logging; SDK-less tracer) against the same
          // Vireo figure without it
          new Row(
              "RSocket unary, 1 in flight, wrappers on vs off: calls/s",
              "wrapped-rsocket/unary/1",
              "vireo-rsocket/unary/1",
              "ops_per_s",
              0.8,
              true),
          new Row(
              "RSocket unary, 64 in flight, wrappers on vs off: calls/s",
              "wrapped-rsocket/unary/64",
              "vireo-rsocket/unary/64",
              "ops_per_s",
              0.8,
              true),
          new Row(
              "RSocket server stream, wrappers on vs off: messages/s",
              "wrapped-rsocket/server-stream/1",
              "vireo-rsocket/server-stream/1",
              "ops_per_s",
              0.8,
              true),
          new Row(
              "RSocket bidi stream, wrappers on vs off: messages/s",
              "wrapped-rsocket/bidi/1",
              "vireo-rsocket/bidi/1",
              "ops_per_s",
              0.8,
              true),
          new Row(
              "RSocket fire-and-forget, wrappers on vs off: messages/s",
              "wrapped-rsocket/fire/1",
              "vireo-rsocket/fire/1",
              "ops_per_s",
              0.8,
              true),
          new Row(
              "gRPC unary, 64 in flight, wrappers on vs off: calls/s",
              "wrapped-grpc/unary/64",
              "vireo-grpc/unary/64",
              "ops_per_s",
              0.8,
              true),
          new Row(
              "gRPC server stream, wrappers on vs off: messages/s",
              "wrapped-grpc/server-stream/1",
              "vireo-grpc/server-stream/1",
              "ops_per_s",
              0.8,
              true),
          // the peer: Armeria's gRPC server called by the raw grpc-java client, beside raw
          // grpc-java and Vireo (client and server)
          new Row(
              "Armeria gRPC server vs raw grpc-java, unary 64 in flight: calls/s",
              "armeria-grpc/unary/64",
              "raw-grpc/unary/64",
              "ops_per_s",
              Double.NaN,
              true),
          new Row(
              "Vireo/gRPC vs Armeria gRPC server, unary 64 in flight: calls/s",
              "vireo-grpc/unary/64",
              "armeria-grpc/unary/64",
              "ops_per_s",
              Double.NaN,
              true),
          new Row(
              "Armeria gRPC server vs raw grpc-java, server stream: messages/s",
              "armeria-grpc/server-stream/1",
              "raw-grpc/server-stream/1",
              "ops_per_s",
              Double.NaN,
              true),
          new Row(
              "Kafka publish, 1 KB, acks=all: records/s",
              "vireo-kafka/publish/10000",
              "raw-kafka/publish/10000",
              "ops_per_s",
              0.95,
              true),
          // reference: the same record Vireo writes (64 KB batches, Vireo's four headers) from
          // the raw producer, which tells the record's cost from Vireo's code's
          new Row(
              "Kafka publish vs raw with Vireo's record (64 KB batches, the four headers)",
              "vireo-kafka/publish/10000",
              "rawheaders-kafka/publish/10000",
              "ops_per_s",
              Double.NaN,
              true),
          new Row(
              "Kafka subscribe, 1 KB: records/s",
              "vireo-kafka/subscribe/10000",
              "raw-kafka/subscribe/10000",
              "ops_per_s",
              0.9,
              true));

  public static void main(String[] args) throws IOException {
    Path results = Path.of(args[0]);
    Path out = Path.of(args[1]);
    String machine = args.length > 2 ? args[2] : "";
    Optional<Path> jmh =
        args.length > 3 ? Optional.of(Path.of(args[3])).filter(Files::exists) : Optional.empty();
    Map<String, Map<String, List<Double>>> figures = read(results);
    List<Line> lines = new ArrayList<>();
    for (Row row : ROWS) {
      lines.add(
          new Line(
              row.label(),
              mean(figures, row.vireo(), row.metric()),
              mean(figures, row.raw(), row.metric()),
              row.metric(),
              row.target(),
              row.higherIsBetter()));
    }
    Files.createDirectories(out);
    Files.writeString(
        out.resolve("latest.md"), markdown(lines, machine, jmh), StandardCharsets.UTF_8);
    Files.writeString(out.resolve("latest.svg"), svg(lines), StandardCharsets.UTF_8);
    System.out.println("wrote " + out.resolve("latest.md") + " and " + out.resolve("latest.svg"));
  }

  /** impl/scenario/inflight to metric to the values of every round. */
  static Map<String, Map<String, List<Double>>> read(Path dir) throws IOException {
    Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    for (Path file : files) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.startsWith("RESULT ")) {
          continue;
        }
        Map<String, String> fields = new HashMap<>();
        for (String part : line.substring(7).trim().split("\\s+")) {
          int eq = part.indexOf('=');
          if (eq > 0) {
            fields.put(part.substring(0, eq), part.substring(eq + 1));
          }
        }
        if (!"0".equals(fields.getOrDefault("errors", "0"))) {
          continue; // a run with failures is not a figure
        }
        String key =
            fields.get("impl") + "/" + fields.get("scenario") + "/" + fields.get("inflight");
        Map<String, List<Double>> metrics =
            figures.computeIfAbsent(key, k -> new LinkedHashMap<>());
        for (String metric : List.of("ops_per_s", "p50_us", "p99_us")) {
          Optional.ofNullable(fields.get(metric))
              .map(Double::parseDouble)
              .ifPresent(v -> metrics.computeIfAbsent(metric, m -> new ArrayList<>()).add(v));
        }
      }
    }
    return figures;
  }

  private static Optional<Double> mean(
      Map<String, Map<String, List<Double>>> figures, String key, String metric) {
    List<Double> values = figures.getOrDefault(key, Map.of()).getOrDefault(metric, List.of());
    return values.isEmpty()
        ? Optional.empty()
        : Optional.of(values.stream().mapToDouble(Double::doubleValue).average().orElseThrow());
  }

  private static String number(Optional<Double> value, String unit) {
    return value
        .map(
            v ->
                unit.endsWith("_us")
                    ? String.format(Locale.ROOT, "%,.0f", v)
                    : String.format(Locale.ROOT, "%,.0f", v))
        .orElse("—");
  }

  static String markdown(List<Line> lines, String machine, Optional<Path> jmh) throws IOException {
    StringBuilder md = new StringBuilder();
    md.append("# Vireo vs the raw libraries: latest run\n\n");
    if (!machine.isBlank()) {
      md.append(machine).append("\n\n");
    }
    md.append(
        "Ratio = Vireo / raw. For rates higher is better (target: at least); for latencies lower is better (target: at most).\n\n");
    md.append("| figure | Vireo | raw | ratio | target | met |\n|---|---:|---:|---:|---:|:---:|\n");
    for (Line line : lines) {
      String target =
          Double.isNaN(line.target()) ? "—" : (line.higherIsBetter() ? "≥ " : "≤ ") + line.target();
      md.append("| ")
          .append(line.label())
          .append(" | ")
          .append(number(line.vireo(), line.unit()))
          .append(" | ")
          .append(number(line.raw(), line.unit()))
          .append(" | ")
          .append(line.ratio().map(r -> String.format(Locale.ROOT, "%.2f", r)).orElse("—"))
          .append(" | ")
          .append(target)
          .append(" | ")
          .append(Double.isNaN(line.target()) ? "—" : line.verdict())
          .append(" |\n");
    }
    md.append("\n![ratios](latest.svg)\n");
    if (jmh.isPresent()) {
      md.append("\n## JMH (per-call hot path, `-prof gc`)\n\n```\n");
      for (String l : Files.readAllLines(jmh.get(), StandardCharsets.UTF_8)) {
        if (l.startsWith("Benchmark")
            || (l.contains("avgt")
                && !l.contains("gc.alloc.rate ")
                && !l.contains("gc.count")
                && !l.contains("gc.time"))) {
          md.append(l).append('\n');
        }
      }
      md.append("```\n");
    }
    return md.toString();
  }

  /**
   * Horizontal bars, one a line: ratio (for latencies raw/Vireo, so that longer is better
   * everywhere).
   */
  static String svg(List<Line> lines) {
    List<Line> shown = lines.stream().filter(l -> l.ratio().isPresent()).toList();
    int rowHeight = 26;
    int labelWidth = 430;
    int barWidth = 420;
    double max = 2.0;
    int height = 60 + rowHeight * shown.size() + 30;
    StringBuilder svg = new StringBuilder();
    svg.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
            labelWidth + barWidth + 80,
            height));
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    svg.append(
        "<text x=\"10\" y=\"22\" font-size=\"15\" font-weight=\"bold\">Vireo / raw library (longer is better; latencies shown as raw / Vireo)</text>\n");
    for (int i = 0; i < shown.size(); i++) {
      Line line = shown.get(i);
      double ratio = line.ratio().orElseThrow();
      double value = line.higherIsBetter() ? ratio : 1 / ratio;
      double target =
          Double.isNaN(line.target())
              ? Double.NaN
              : (line.higherIsBetter() ? line.target() : 1 / line.target());
      int y = 45 + i * rowHeight;
      boolean met = Double.isNaN(target) || value >= target;
      int width = (int) Math.round(Math.min(value, max) / max * barWidth);
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
              labelWidth - 8,
              y + 15,
              escape(line.label())));
      svg.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" fill=\"%s\"/>%n",
              labelWidth,
              y + 2,
              width,
              met ? "#4c9a5f" : "#c8553d"));
      svg.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\">%.2f</text>%n",
              labelWidth + width + 5,
              y + 15,
              value));
      if (!Double.isNaN(target)) {
        int tx = labelWidth + (int) Math.round(Math.min(target, max) / max * barWidth);
        svg.append(
            String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\" stroke-dasharray=\"3,2\"/>%n",
                tx,
                y,
                tx,
                y + 22));
      }
    }
    int one = labelWidth + barWidth / 2;
    int bottom = 45 + shown.size() * rowHeight;
    svg.append(
        String.format(
            Locale.ROOT,
            "<line x1=\"%d\" y1=\"40\" x2=\"%d\" y2=\"%d\" stroke=\"#555\"/>%n",
            one,
            one,
            bottom));
    svg.append(
        String.format(
            Locale.ROOT,
            "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">1.0 = as fast as raw; dashes = target</text>%n",
            one,
            bottom + 18));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
