package io.vireo.spring;

import io.vireo.broker.SubscribeOptions;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Makes a bean method an event handler of the application's Vireo service.
 *
 * <pre>{@code
 * @Component
 * class Audit {
 *   @VireoSubscribe(topic = "user.greeted")
 *   Mono<Void> greeted(UserGreeted event) { ... }
 * }
 * }</pre>
 *
 * The method takes one parameter, the event's type. An event is acknowledged when the method
 * returns (a {@code void} method, or one returning a plain value) or when the {@link
 * org.reactivestreams.Publisher} it returns completes; a thrown exception or an error signal
 * redelivers it, up to {@link #maxRetries()}, then sends it to {@code <topic>.DLT}. A method
 * returning no publisher runs on a {@code boundedElastic} thread, so it may block.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface VireoSubscribe {
  String topic();

  /** The queue group; empty: the service's name (every instance shares the events). */
  String group() default "";

  /** Every instance gets every event. */
  boolean broadcast() default false;

  int concurrency() default SubscribeOptions.DEFAULT_CONCURRENCY;

  int maxRetries() default SubscribeOptions.DEFAULT_MAX_RETRIES;

  boolean deadLetter() default true;
}
