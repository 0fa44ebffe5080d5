package io.vpccni.eni.fake;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import java.util.List;

/**
 * Instance metadata of one instance of a {@link FakeEc2Api}, answered from the fake's state: an ENI appears once it
 * is attached (and its {@link FakeEc2Api#attachmentLatency} has passed), with the addresses and prefixes EC2 holds
 * for it. An instance that is not running answers {@link MetadataUnavailable}, as an unreachable IMDS would.
 */
public final class FakeInstanceMetadata implements InstanceMetadata {

    private final FakeEc2Api ec2;
    private final String instanceId;

    public FakeInstanceMetadata(FakeEc2Api ec2, String instanceId) {
        this.ec2 = ec2;
        this.instanceId = instanceId;
    }

    @Override
    public InstanceIdentity identity() {
        return ec2.identity(instanceId);
    }

    @Override
    public List<EniMetadata> enis() {
        return ec2.visibleEnis(instanceId);
    }
}
