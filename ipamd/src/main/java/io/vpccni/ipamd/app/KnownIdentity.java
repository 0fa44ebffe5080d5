package io.vpccni.ipamd.app;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import io.vpccni.eni.port.InstanceMetadata;
import java.util.List;

/**
 * Instance metadata whose identity was already read (a starting daemon needs the region before it has an EC2
 * client): the identity does not change while the instance lives, so the identify step does not read it again.
 * The ENIs do change and are read from the service each time.
 */
record KnownIdentity(InstanceMetadata service, InstanceIdentity identity) implements InstanceMetadata {

    @Override
    public List<EniMetadata> enis() {
        return service.enis();
    }
}
