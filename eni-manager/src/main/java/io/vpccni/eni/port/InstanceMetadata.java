package io.vpccni.eni.port;

import io.vpccni.eni.model.EniMetadata;
import io.vpccni.eni.model.InstanceIdentity;
import java.util.List;

/** Instance metadata (IMDSv2): who this node is and the ENIs the instance sees. */
public interface InstanceMetadata {

    InstanceIdentity identity();

    /** Every ENI attached to the instance, ordered by device number. */
    List<EniMetadata> enis();

    /** Thrown when metadata cannot be read: IMDS unreachable, token refused, or a path missing. */
    final class MetadataUnavailable extends RuntimeException {
        public MetadataUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
