package io.vireo.registry.zookeeper;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.InstanceSerializer;
import org.apache.curator.x.discovery.details.ServiceDiscoveryImpl;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;

/**
 * Curator's service discovery, but registering an instance whose znode this session already owns
 * rewrites it in place instead of deleting and re-creating it.
 *
 * <p>Discovery registers everything again on each {@code CONNECTED} and {@code RECONNECTED} event,
 * as a delete and a create. The registry connects first and then starts discovery, so when
 * Curator's event thread delivers the first {@code CONNECTED} late (a busy machine), it arrives
 * after {@code register()} returned and deleted the instance just written: for a moment nobody, the
 * caller included, could read it (issue 12: the flaky {@code
 * ZooKeeperProvidersTest.digestAuthLetsOthersReadButNotWrite}; watchers saw the instance leave and
 * come back). A znode owned by this session is current: it is written again, never removed. After
 * an expired session the znode is gone or another session's, and discovery's own delete-and-create
 * runs as before.
 */
final class InPlaceDiscovery extends ServiceDiscoveryImpl<Object> {
  private final CuratorFramework client;
  private final String basePath;
  private final InstanceSerializer<Object> serializer;

  InPlaceDiscovery(
      CuratorFramework client, String basePath, InstanceSerializer<Object> serializer) {
    super(client, basePath, serializer, null, false);
    this.client = client;
    this.basePath = basePath;
    this.serializer = serializer;
  }

  @Override
  protected void internalRegisterService(ServiceInstance<Object> service) throws Exception {
    String path = ZKPaths.makePath(basePath, service.getName(), service.getId());
    Stat stat = client.checkExists().forPath(path);
    long session = client.getZookeeperClient().getZooKeeper().getSessionId();
    if (stat != null && stat.getEphemeralOwner() == session) {
      try {
        client
            .setData()
            .withVersion(stat.getVersion())
            .forPath(path, serializer.serialize(service));
        return;
      } catch (KeeperException.NoNodeException | KeeperException.BadVersionException changed) {
        // gone or rewritten meanwhile: register it the usual way
      }
    }
    super.internalRegisterService(service);
  }
}
