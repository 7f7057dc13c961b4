package io.vireo.internal.selector;

import io.vireo.registry.ServiceInstance;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;

/**
 * What a selector derived from a candidate list (a ring, a schedule), kept for the next calls that
 * bring the same list. Lists are matched by identity, then element by element by identity: the
 * registry's list and the filters' outputs are reused while nothing changes, so a hit costs a few
 * reference comparisons and no allocation. Lock-free; a race builds twice, harmlessly.
 */
final class CandidateCache<V> {
  private static final int SLOTS = 4;

  private record Entry<V>(List<ServiceInstance> candidates, V value) {}

  private final AtomicReferenceArray<Entry<V>> slots = new AtomicReferenceArray<>(SLOTS);
  private final AtomicInteger victim = new AtomicInteger();

  V get(List<ServiceInstance> candidates, Function<List<ServiceInstance>, V> build) {
    for (int i = 0; i < SLOTS; i++) {
      Entry<V> entry = slots.get(i);
      if (entry != null && entry.candidates == candidates) {
        return entry.value;
      }
    }
    for (int i = 0; i < SLOTS; i++) {
      Entry<V> entry = slots.get(i);
      if (entry != null && sameInstances(entry.candidates, candidates)) {
        return entry.value;
      }
    }
    V value = build.apply(candidates);
    put(candidates, value);
    return value;
  }

  void put(List<ServiceInstance> candidates, V value) {
    for (int i = 0; i < SLOTS; i++) {
      Entry<V> entry = slots.get(i);
      if (entry != null && entry.candidates == candidates) {
        slots.set(i, new Entry<>(candidates, value));
        return;
      }
    }
    slots.set(Math.floorMod(victim.getAndIncrement(), SLOTS), new Entry<>(candidates, value));
  }

  /** Same instances, in the same order, by identity. */
  static boolean sameInstances(List<ServiceInstance> a, List<ServiceInstance> b) {
    if (a == b) {
      return true;
    }
    int size = a.size();
    if (size != b.size()) {
      return false;
    }
    for (int i = 0; i < size; i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
