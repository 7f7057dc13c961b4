package io.vireo.transport.grpc;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The transport's event loop group as grpc-java's channels see it: the same loops, except that a
 * task scheduled from one of them is scheduled on that loop.
 *
 * <p>grpc-java arms a timer for the deadline of every call it starts ({@code
 * ClientCallImpl.CancellationHandler}) on the channel's group. A group hands {@code schedule} to
 * its {@code next()} loop in turn, usually not the calling one, and a task handed to another loop
 * wakes that loop's selector (an {@code eventfd} write, then a context switch): 14% of the CPU of a
 * client making 64 calls at a time in the benchmarks' profile. Calls started from a loop (the next
 * call made from an answer's callback) arm their timer on the calling loop instead, which queues it
 * without a wake-up, and the answer, read on that same loop, cancels it in place. Every other
 * method goes to the group as it is.
 */
final class CallerLoopScheduling extends AbstractEventExecutorGroup implements EventLoopGroup {
  private final EventLoopGroup loops;

  CallerLoopScheduling(EventLoopGroup loops) {
    this.loops = loops;
  }

  /** The calling thread's loop if it is one of this group's, else null. */
  private @Nullable EventExecutor calling() {
    EventExecutor current = ThreadExecutorMap.currentExecutor();
    return current != null && current.parent() == loops ? current : null;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    EventExecutor here = calling();
    return here != null
        ? here.schedule(command, delay, unit)
        : loops.schedule(command, delay, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    EventExecutor here = calling();
    return here != null
        ? here.schedule(callable, delay, unit)
        : loops.schedule(callable, delay, unit);
  }

  @Override
  public EventLoop next() {
    return loops.next();
  }

  @Override
  public Iterator<EventExecutor> iterator() {
    return loops.iterator();
  }

  @Override
  public ChannelFuture register(Channel channel) {
    return loops.register(channel);
  }

  @Override
  public ChannelFuture register(ChannelPromise promise) {
    return loops.register(promise);
  }

  @Override
  @Deprecated
  public ChannelFuture register(Channel channel, ChannelPromise promise) {
    return loops.register(channel, promise);
  }

  @Override
  public boolean isShuttingDown() {
    return loops.isShuttingDown();
  }

  @Override
  public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
    return loops.shutdownGracefully(quietPeriod, timeout, unit);
  }

  @Override
  public Future<?> terminationFuture() {
    return loops.terminationFuture();
  }

  @Override
  @Deprecated
  public void shutdown() {
    loops.shutdown();
  }

  @Override
  public boolean isShutdown() {
    return loops.isShutdown();
  }

  @Override
  public boolean isTerminated() {
    return loops.isTerminated();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
    return loops.awaitTermination(timeout, unit);
  }
}
