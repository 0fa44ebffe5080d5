package io.vpccni.ipamd.app;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.ipamd.pool.EniNetworking;
import io.vpccni.ipamd.pool.NodeEni;
import java.util.List;

/**
 * The host namespace's share of the daemon: node-wide rules, SNAT and sysctls, and each ENI's link, table and
 * rule. {@link #NONE} is for nodes whose ENIs have no kernel links (ipamd tests without a data plane).
 */
public interface NodeNetworking extends EniNetworking {

    /** Idempotent: called at start and again whenever the VPC's CIDRs are re-read. */
    void setUpNode(InstanceIdentity identity, List<EniMetadata> enis);

    NodeNetworking NONE = new NodeNetworking() {
        @Override
        public void setUpNode(InstanceIdentity identity, List<EniMetadata> enis) {}

        @Override
        public void attached(NodeEni eni) {}

        @Override
        public void detaching(NodeEni eni) {}
    };
}
