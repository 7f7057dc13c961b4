package io.vireo.cli;

import io.vireo.Status;
import io.vireo.VireoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.AutoComplete;
import picocli.CommandLine;
import reactor.core.publisher.Hooks;

/**
 * {@code java -jar vireo-cli.jar <command>} (or {@code bin/vireo}). Exit codes: 0 OK; 1 an
 * unexpected failure; 2 a usage error (unknown option, missing argument); {@code 10 + the gRPC
 * status code} for a failure with a status: 13 INVALID_ARGUMENT (malformed JSON, a field that does
 * not exist), 14 DEADLINE_EXCEEDED, 15 NOT_FOUND (unknown service, method or message type), 22
 * UNIMPLEMENTED, 24 UNAVAILABLE (registry or instance unreachable, an instance that is not
 * healthy), 26 UNAUTHENTICATED, and so on.
 */
public final class Main {
  /** Exit code of an unexpected failure (a bug, or a failure without a status). */
  public static final int EXIT_FAILURE = 1;

  /** Exit code of a usage error. */
  public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

  /** Exit codes of failures with a status are this plus the status's gRPC code. */
  public static final int EXIT_STATUS_BASE = 10;

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.in, System.out, System.err);
    System.out.flush();
    System.exit(code);
  }

  /**
   * Runs one command, reading {@code in} and writing {@code out} and {@code err}; answers the exit
   * code.
   */
  public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    // an operation that timed out may fail later still: that failure has nobody to tell
    Hooks.onErrorDropped(dropped -> {});
    PrintWriter stdout = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
    PrintWriter stderr = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    CommandLine line = commandLine(new Vireo(in, stdout, stderr));
    line.setOut(stdout);
    line.setErr(stderr);
    line.setExecutionExceptionHandler(
        (error, commandLine, parsed) -> {
          VireoException failure = failure(error);
          stderr.println(failure.status().name() + ": " + failure.getMessage());
          return exitCode(failure.status());
        });
    try {
      return line.execute(args);
    } finally {
      stdout.flush();
      stderr.flush();
    }
  }

  static CommandLine commandLine(Vireo vireo) {
    CommandLine line = new CommandLine(vireo);
    line.addSubcommand("generate-completion", new AutoComplete.GenerateCompletion());
    line.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
    line.setCaseInsensitiveEnumValuesAllowed(true);
    // -d @file is the command's own: picocli must not read it as an argument file
    line.setExpandAtFiles(false);
    return line;
  }

  /** 0 for OK, else {@value #EXIT_STATUS_BASE} plus the status's code. */
  public static int exitCode(Status status) {
    return status == Status.OK ? 0 : EXIT_STATUS_BASE + status.code();
  }

  static VireoException failure(Throwable error) {
    if (error instanceof VireoException vireo) {
      return vireo;
    }
    if (error instanceof IllegalArgumentException || error instanceof IllegalStateException) {
      // the framework's validation messages say what to fix
      return new VireoException(
          Status.INVALID_ARGUMENT,
          error.getMessage() == null ? error.toString() : error.getMessage());
    }
    if (error instanceof UncheckedIOException || error instanceof IOException) {
      return new VireoException(
          Status.UNAVAILABLE, error.getMessage() == null ? error.toString() : error.getMessage());
    }
    VireoException mapped = VireoException.from(error);
    return mapped.status() == Status.UNKNOWN || mapped.status() == Status.INTERNAL
        ? new VireoException(mapped.status(), error.toString())
        : mapped;
  }

  /** The version the jar was built as. */
  static String version() {
    return property("version", "unknown");
  }

  /** A value of the build's {@code vireo-cli.properties}. */
  static String property(String key, String otherwise) {
    Properties properties = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("/vireo-cli.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      return otherwise;
    }
    return properties.getProperty(key, otherwise);
  }
}
