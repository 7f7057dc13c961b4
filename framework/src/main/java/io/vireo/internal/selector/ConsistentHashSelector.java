package io.vireo.internal.selector;

import io.vireo.Call;
import io.vireo.registry.ServiceInstance;
import io.vireo.selector.Selector;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A hash ring with virtual nodes: a call whose key header is set goes to the first virtual node at
 * or after the key's hash. The nodes of an instance depend only on its id, so when an instance
 * leaves only the keys it held move, and each to a different survivor. Calls without the key go
 * round-robin. The ring is built once per candidate list.
 */
final class ConsistentHashSelector implements Selector {
  private record Ring(long[] points, ServiceInstance[] owners) {}

  private final int virtualNodes;
  private final String header;
  private final Selector withoutKey = Selectors.roundRobin();
  private final CandidateCache<Ring> rings = new CandidateCache<>();

  ConsistentHashSelector(int virtualNodes, String header) {
    if (virtualNodes <= 0) {
      throw new IllegalArgumentException("virtual-nodes: " + virtualNodes + " (expected: > 0)");
    }
    if (header.isBlank()) {
      throw new IllegalArgumentException(
          "header: empty (expected: a call header such as x-hash-key)");
    }
    this.virtualNodes = virtualNodes;
    this.header = header;
  }

  @Override
  public Optional<ServiceInstance> select(List<ServiceInstance> candidates, Call call) {
    if (candidates.isEmpty()) {
      return Optional.empty();
    }
    Optional<String> key = call.headers().get(header);
    if (key.isEmpty()) {
      return withoutKey.select(candidates, call);
    }
    if (candidates.size() == 1) {
      return Optional.of(candidates.get(0));
    }
    Ring ring = rings.get(candidates, this::ring);
    int index = Arrays.binarySearch(ring.points, hash(key.get()));
    if (index < 0) {
      index = -index - 1;
      if (index == ring.points.length) {
        index = 0;
      }
    }
    return Optional.of(ring.owners[index]);
  }

  private Ring ring(List<ServiceInstance> candidates) {
    int total = candidates.size() * virtualNodes;
    long[] packed = new long[total];
    long[] hashes = new long[total];
    int k = 0;
    for (int i = 0; i < candidates.size(); i++) {
      String id = candidates.get(i).id();
      for (int v = 0; v < virtualNodes; v++) {
        hashes[k] = hash(id + '#' + v);
        packed[k] = k;
        k++;
      }
    }
    // sort the node numbers by their hash
    Long[] byHash = new Long[total];
    for (int i = 0; i < total; i++) {
      byHash[i] = packed[i];
    }
    Arrays.sort(byHash, (a, b) -> Long.compare(hashes[(int) (long) a], hashes[(int) (long) b]));
    long[] points = new long[total];
    ServiceInstance[] owners = new ServiceInstance[total];
    for (int i = 0; i < total; i++) {
      int node = (int) (long) byHash[i];
      points[i] = hashes[node];
      owners[i] = candidates.get(node / virtualNodes);
    }
    return new Ring(points, owners);
  }

  /** FNV-1a over the chars, then MurmurHash3's 64-bit finalizer to spread the bits. */
  static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < text.length(); i++) {
      h ^= text.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }

  @Override
  public String toString() {
    return "consistent-hash(" + header + ", " + virtualNodes + " virtual nodes)";
  }
}
