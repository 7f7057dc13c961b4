package io.vireo.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CallerLoopSchedulingTest {
  private final EventLoopGroup loops =
      new MultiThreadIoEventLoopGroup(4, NioIoHandler.newFactory());
  private final CallerLoopScheduling scheduling = new CallerLoopScheduling(loops);

  @AfterEach
  void stop() {
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void aTaskScheduledFromALoopRunsOnThatLoop() throws Exception {
    List<EventExecutor> all = new ArrayList<>();
    loops.forEach(all::add);
    // each loop three times in a row: handed to next() in turn instead, most would land elsewhere
    for (int i = 0; i < 3 * all.size(); i++) {
      EventExecutor caller = all.get(i / 3);
      Thread ran =
          caller
              .submit(() -> scheduling.schedule(Thread::currentThread, 1, TimeUnit.MILLISECONDS))
              .get(5, TimeUnit.SECONDS)
              .get(5, TimeUnit.SECONDS);
      assertThat(caller.inEventLoop(ran)).as("scheduled from loop %d", i / 3).isTrue();
    }
  }

  @Test
  void aTaskScheduledFromElsewhereRunsOnOneOfTheLoops() throws Exception {
    Thread ran =
        scheduling
            .schedule(Thread::currentThread, 1, TimeUnit.MILLISECONDS)
            .get(5, TimeUnit.SECONDS);
    boolean onALoop = false;
    for (EventExecutor loop : loops) {
      onALoop |= loop.inEventLoop(ran);
    }
    assertThat(onALoop).isTrue();
    assertThat(scheduling.next().parent()).isSameAs(loops);
  }
}
