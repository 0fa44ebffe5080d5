package io.vpccni.ipamd.k8s;

import java.util.List;
import java.util.Optional;

/**
 * What ipamd last saw of the cluster. Every answer is empty until the first complete read, so that an API server
 * that is slow or unreachable reads as "not known" and never as "no pods" or "no ENIConfig".
 */
interface ClusterView {

    Optional<NodeInfo> node();

    Optional<EniConfig.Lookup> eniConfig(String name);

    Optional<List<PodInfo>> podsOnNode();
}
