package io.vireo.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The README's run command: the demo prints the four greeter results, naming the instance, and the
 * received event.
 */
class DemoTest {
  @Test
  void demoPrintsTheFourCallKindsAndTheEvent() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Main.main(new String[] {"demo"});
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    String from = " \\(from greeter-[0-9a-f]{8}\\)";
    assertThat(output)
        .containsPattern("SayHello: Hello, Ada" + from)
        .containsPattern(
            "LotsOfReplies: \\[Hello #1, Ada"
                + from
                + ", Hello #2, Ada"
                + from
                + ", Hello #3, Ada"
                + from
                + "]")
        .containsPattern("LotsOfGreetings: Hello, Ada, Grace, Linus" + from)
        .containsPattern("BidiHello: \\[Hi, Ada" + from + ", Hi, Grace" + from + "]")
        .contains("event user.greeted received: Ada");
  }
}
