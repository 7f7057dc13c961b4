/**
 * Vireo's benchmarks: JMH micro-benchmarks of the per-call hot path ({@code *Benchmark}) and
 * loopback load runs ({@link io.vireo.benchmarks.LoadServer}, {@link
 * io.vireo.benchmarks.LoadClient}, {@link io.vireo.benchmarks.KafkaRun}) that put Vireo and the raw
 * library it runs on side by side. {@code benchmarks/run.sh} runs them all; nothing here runs in
 * the default build.
 */
@NullMarked
package io.vireo.benchmarks;

import org.jspecify.annotations.NullMarked;
